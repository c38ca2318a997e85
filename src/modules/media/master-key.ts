import type { Config } from '../../config/config.ts';
import { loadOrCreateSecret } from '../../shared/secret-file.ts';

/** The 32-byte key that wraps every content key: MEDIA_MASTER_KEY, else its file (made on first use). */
export function loadMasterKey(config: Pick<Config['media'], 'masterKey' | 'masterKeyFile'>): Promise<Buffer> {
  return loadOrCreateSecret({
    fromEnvironment: config.masterKey === undefined ? undefined : Buffer.from(config.masterKey, 'base64'),
    file: config.masterKeyFile,
    bytes: 32,
  });
}
