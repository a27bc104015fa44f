// Error codes of @sextant/translate. Translation does not throw for bad user
// config (what cannot be translated is skipped and reported as a warning);
// these mark misuse. The class has SextantError's shape (name, code, cause)
// without importing @sextant/util, whose index pulls in pino: translation
// stays free of I/O libraries.

export const TRANSLATE_ERROR_CODES = {
  TRANSLATE_PROXY_INVALID: 'the proxy cannot be translated for (e.g. a router with no namespace)',
  TRANSLATE_OPTION_INVALID: 'a translation option is out of range',
} as const;
export type TranslateErrorCode = keyof typeof TRANSLATE_ERROR_CODES;

export class TranslateError extends Error {
  readonly code: TranslateErrorCode;
  constructor(code: TranslateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TranslateError';
    this.code = code;
  }
}
