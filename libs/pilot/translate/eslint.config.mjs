// Translation is pure (STYLE.md: model -> translate -> xds-server): its
// sources may not import gRPC, NATS, fastify, pino or anything doing I/O.
// The workspace config applies as well. ESLint 9 reads this file when run
// from this folder (`npx eslint .`); the same block belongs in the root
// config for runs from the workspace root (PURE_TRANSLATION_RULE, exported).
import root from '../../../eslint.config.mjs';

export const PURE_TRANSLATION_RULE = {
  files: ['libs/pilot/translate/src/**/*.ts', 'src/**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['@grpc/*', '@nats-io/*', 'fastify', 'fastify/*', '@fastify/*', 'pino', 'pino-*', '@kubernetes/*'],
            message: 'translation is pure: no gRPC, NATS, fastify, pino or Kubernetes client here',
          },
          {
            group: ['@sextant/nats', '@sextant/grpc', '@sextant/util', '@sextant/runtime', '@sextant/admin', '@sextant/xds-server', '@sextant/registry'],
            message: 'translation is pure: these libraries do I/O (or pull in pino); take what you need through PushContext',
          },
          {
            group: ['node:net', 'node:http', 'node:http2', 'node:fs', 'node:fs/*', 'node:child_process', 'node:dgram', 'node:tls'],
            message: 'translation is pure: no I/O',
          },
        ],
      },
    ],
  },
};

export default [...root, PURE_TRANSLATION_RULE];
