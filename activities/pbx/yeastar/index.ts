import { YeastarClient } from './yeastar-client.js';
import { YeastarDirectory } from './yeastar-directory.js';
import { resolveOptions, type YeastarOptions } from './yeastar-options.js';
import { YeastarPhonebooks } from './yeastar-phonebooks.js';

export { YeastarDirectory, YeastarPhonebooks };
export { ERRCODE_FAILURE } from './yeastar-errcodes.js';
export type { YeastarOptions } from './yeastar-options.js';

/** One Open API session per worker process: the PBX allows only 8 tokens per API client, so all share it. */
export function connectYeastar(options: YeastarOptions) {
  const client = new YeastarClient(resolveOptions(options));
  return {
    directory: new YeastarDirectory(client),
    phonebooks: new YeastarPhonebooks(client),
    close: () => client.close(),
  };
}
