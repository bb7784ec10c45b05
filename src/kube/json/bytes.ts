/**
 * The bytes that carry JSON's structure, named once for the framer and the reader. Pure: no I/O.
 * @module
 */

/** `{` */
export const OPEN_BRACE = 0x7b;
/** `}` */
export const CLOSE_BRACE = 0x7d;
/** `[` */
export const OPEN_BRACKET = 0x5b;
/** `]` */
export const CLOSE_BRACKET = 0x5d;
/** `"` */
export const QUOTE = 0x22;
/** `\` */
export const BACKSLASH = 0x5c;
/** `,` */
export const COMMA = 0x2c;
/** `:` */
export const COLON = 0x3a;
/** A newline (line feed). */
export const NEWLINE = 0x0a;
/** `-` */
export const MINUS = 0x2d;
