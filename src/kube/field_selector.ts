/**
 * Field selectors with the grammar of apimachinery's `fields.ParseSelector`: `field=value`,
 * `field==value`, `field!=value`, comma = AND, and values escaped with `\\`, `\,` and `\=`.
 * Nothing is trimmed: `a = b` compares field `"a "` with value `" b"`, as upstream. Which fields a
 * resource supports is not checked here. Pure.
 * @module
 */

import { SelectorError } from "./label_selector.ts";

/** One requirement; `value` is unescaped. */
export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** The AND of its requirements; `[]` selects everything. */
export type FieldSelector = FieldRequirement[];

/** Splits on commas that are not escaped; escapes stay in the returned terms. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (escaped) escaped = false;
    else if (ch === "\\") escaped = true;
    else if (ch === ",") {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** Undoes {@link escapeFieldValue}; an unknown escape or a bare `,`/`=` is an error. */
function unescapeValue(raw: string): string {
  if (!/[\\,=]/.test(raw)) return raw;
  let out = "";
  let escaped = false;
  for (const ch of raw) {
    if (escaped) {
      if (ch !== "\\" && ch !== "," && ch !== "=") {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaped = false;
    } else if (ch === "\\") {
      escaped = true;
    } else if (ch === "," || ch === "=") {
      throw new SelectorError(`invalid field selector: unescaped character in value: ${ch}`);
    } else {
      out += ch;
    }
  }
  if (escaped) throw new SelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Escapes `\`, `,` and `=` so that any string can be a field selector value. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Parses a field selector as kube-apiserver does; `""` selects everything. Terms are split at
 * their first `!=`, `==` or `=`; empty terms and terms with both sides empty are dropped; the
 * result follows the sorted order of the terms' text, as upstream. Throws {@link SelectorError}.
 *
 * @example
 * ```ts
 * parseFieldSelector("spec.clusterIP!=None"); // [{ field: "spec.clusterIP", op: "!=", value: "None" }]
 * ```
 */
export function parseFieldSelector(text: string): FieldSelector {
  if (text === "") return [];
  const selector: FieldSelector = [];
  for (const term of splitTerms(text).sort(compareStrings)) {
    if (term === "") continue;
    const match = /!=|==|=/.exec(term);
    if (!match) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = term.slice(0, match.index);
    const value = unescapeValue(term.slice(match.index + match[0].length));
    if (field === "" && value === "") continue;
    selector.push({ field, op: match[0] === "!=" ? "!=" : "=", value });
  }
  return selector;
}

/** Whether `fields` satisfy every requirement; a field absent from `fields` compares as "". */
export function matchesFields(selector: FieldSelector, fields: Record<string, string>): boolean {
  for (const { field, op, value } of selector) {
    const actual = Object.hasOwn(fields, field) ? fields[field] : "";
    if ((actual === value) !== (op === "=")) return false;
  }
  return true;
}

/**
 * The canonical text of a selector (`field=value` / `field!=value`, values escaped), terms
 * sorted and duplicates dropped, so equal selectors give equal strings.
 */
export function formatFieldSelector(selector: FieldSelector): string {
  const terms = selector.map(({ field, op, value }) => `${field}${op}${escapeFieldValue(value)}`)
    .sort(compareStrings);
  return terms.filter((term, i) => term !== terms[i - 1]).join(",");
}

/**
 * The value `field` must equal, like apimachinery's `RequiresExactMatch`: the value of the first
 * `=` requirement on `field`, or `undefined` if there is none.
 */
export function requiredFieldValue(selector: FieldSelector, field: string): string | undefined {
  return selector.find((r) => r.field === field && r.op === "=")?.value;
}

/**
 * The `X` of a selector that is only `metadata.name=X` (repeated identically at most), i.e. a
 * query for one object by name; otherwise `undefined`.
 */
export function nameFromFieldSelector(selector: FieldSelector): string | undefined {
  if (selector.length === 0) return undefined;
  const name = selector[0].value;
  const sole = selector.every((r) =>
    r.field === "metadata.name" && r.op === "=" && r.value === name
  );
  return sole ? name : undefined;
}
