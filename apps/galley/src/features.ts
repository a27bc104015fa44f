import { defineSettings } from '@sextant/util';

export const GALLEY_SETTINGS = defineSettings({
  grpcPort: { kind: 'port', env: 'GALLEY_GRPC_PORT', flag: 'grpc-port', default: 9901, description: 'config API (sextant.galley.v1.ConfigService)' },
  configDir: { kind: 'string', env: 'GALLEY_CONFIG_DIR', flag: 'config-dir', default: '', description: 'watch this directory of YAML (empty: off)' },
});
