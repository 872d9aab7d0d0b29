import type { Handler } from './context.js';
import * as contacts from './contacts.js';
import * as ext from './extensions.js';
import * as groups from './groups.js';
import * as orgs from './organizations.js';
import * as phonebooks from './phonebooks.js';
import * as tokens from './tokens.js';

/** Open API v1.0 endpoints, keyed by "<VERB> <endpoint>". Reads and deletes are GET, writes POST. */
export const ROUTES: Record<string, Handler> = {
  'POST get_token': tokens.getToken,
  'POST refresh_token': tokens.refreshToken,
  'GET del_token': tokens.delToken,
  'GET extension/list': ext.list,
  'GET extension/search': ext.search,
  'GET extension/get': ext.get,
  'GET extension/query': ext.query,
  'POST extension/create': ext.create,
  'POST extension/update': ext.update,
  'GET extension/delete': ext.remove,
  'POST extension/send_welcome_email': ext.sendWelcomeEmail,
  'GET organization/list': orgs.list,
  'GET organization/get': orgs.get,
  'POST organization/create': orgs.create,
  'POST organization/update': orgs.update,
  'GET organization/delete': orgs.remove,
  'GET extensiongroup/list': groups.list,
  'GET extensiongroup/search': groups.search,
  'GET extensiongroup/get': groups.get,
  'POST extensiongroup/create': groups.create,
  'POST extensiongroup/update': groups.update,
  'GET extensiongroup/delete': groups.remove,
  'GET company_contact/list': contacts.list,
  'GET company_contact/search': contacts.search,
  'POST company_contact/create': contacts.create,
  'POST company_contact/update': contacts.update,
  'GET company_contact/delete': contacts.remove,
  'GET phonebook/list': phonebooks.list,
  'GET phonebook/search': phonebooks.search,
  'GET phonebook/get': phonebooks.get,
  'POST phonebook/create': phonebooks.create,
  'POST phonebook/update': phonebooks.update,
  'GET phonebook/delete': phonebooks.remove,
};

/** Endpoints that authenticate themselves (credentials in the body, or the token being revoked). */
export const SELF_AUTHENTICATING = new Set(['get_token', 'refresh_token', 'del_token']);
