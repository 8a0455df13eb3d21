/**
 * Camera and zone ids as the API takes them (a-z, 0-9 and -), for an input's `pattern` attribute.
 * Browsers compile `pattern` with the RegExp `v` flag, where a bare `-` inside a class is a syntax
 * error (the browser then ignores the pattern silently): the hyphen is escaped.
 */
export const ID_PATTERN = '[a-z0-9\\-]+';
