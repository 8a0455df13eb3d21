/** Where the versioned API lives; the console, docs and links build on it. */
export const API_PREFIX = '/api/v1';
