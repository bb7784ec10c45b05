/**
 * Label selectors with the grammar of apimachinery's `labels.Parse`: `a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma = AND, whitespace between tokens tolerated, keys
 * checked as qualified names and values as label values. Pure.
 *
 * Differences from upstream: the integer comparisons `a>1` / `a<1` (accepted by `labels.Parse`,
 * never sent by node components) are rejected with a {@link SelectorError}.
 * @module
 */

/** A requirement's operator; `==` is parsed as `=`, a bare key as `exists`, `!key` as `!exists`. */
export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!exists";

/** One requirement. `values` is sorted and free of duplicates; empty for `exists`/`!exists`. */
export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

/** The AND of its requirements; `[]` selects everything. */
export type LabelSelector = LabelRequirement[];

/** A label or field selector that kube-apiserver would reject (HTTP 400). */
export class SelectorError extends Error {
  override name = "SelectorError";
}

type TokenKind =
  | "id"
  | "end"
  | "("
  | ")"
  | ","
  | "!"
  | "="
  | "=="
  | "!="
  | ">"
  | "<"
  | "in"
  | "notin";

interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

/** Splits a selector into tokens exactly as apimachinery's lexer does. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (true) {
    while (pos < text.length && WHITESPACE.has(text[pos])) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: "end", text: "" });
      return tokens;
    }
    const ch = text[pos];
    if (SPECIAL.has(ch)) {
      // Longest operator wins; only `!=` and `==` are two characters long.
      const pair = text.slice(pos, pos + 2);
      const kind = (pair === "!=" || pair === "==" ? pair : ch) as TokenKind;
      tokens.push({ kind, text: kind });
      pos += kind.length;
      continue;
    }
    const start = pos;
    while (pos < text.length && !SPECIAL.has(text[pos]) && !WHITESPACE.has(text[pos])) pos++;
    const word = text.slice(start, pos);
    tokens.push({ kind: word === "in" || word === "notin" ? word : "id", text: word });
  }
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Why `key` is not a qualified name (`[prefix/]name`: name ≤ 63 alphanumerics, `-`, `_`, `.`
 * starting and ending alphanumeric; prefix a DNS subdomain ≤ 253), or `undefined` if it is one.
 */
export function qualifiedNameError(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a qualified name must have at most one '/'";
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === "") return "prefix part must be non-empty";
    if (prefix.length > 253) return "prefix part must be no more than 253 characters";
    if (!DNS_SUBDOMAIN.test(prefix)) {
      return "prefix part must be a lowercase RFC 1123 subdomain";
    }
  }
  if (name === "") return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!NAME_PART.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', " +
      "and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Why `value` is not a valid label value (≤ 63 characters, may be empty), or `undefined`. */
export function labelValueError(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!LABEL_VALUE.test(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, " +
      "'-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Recursive-descent parser over the token list, mirroring apimachinery's `Parser`. */
class Parser {
  #tokens: Token[];
  #pos = 0;

  constructor(text: string) {
    this.#tokens = tokenize(text);
  }

  /** The current token; in a value position the keywords `in`/`notin` are identifiers. */
  #peek(valuePosition = true): Token {
    const token = this.#tokens[this.#pos];
    return valuePosition && (token.kind === "in" || token.kind === "notin")
      ? { kind: "id", text: token.text }
      : token;
  }

  #next(valuePosition = true): Token {
    const token = this.#peek(valuePosition);
    this.#pos++;
    return token;
  }

  parse(): LabelSelector {
    const requirements: LabelSelector = [];
    while (true) {
      const token = this.#peek();
      if (token.kind === "end") return requirements;
      if (token.kind !== "id" && token.kind !== "!") {
        throw new SelectorError(
          `found '${token.text}', expected: !, identifier, or 'end of string'`,
        );
      }
      requirements.push(this.#requirement());
      const after = this.#next();
      if (after.kind === "end") return requirements;
      if (after.kind !== ",") {
        throw new SelectorError(`found '${after.text}', expected: ',' or 'end of string'`);
      }
      const following = this.#peek();
      if (following.kind !== "id" && following.kind !== "!") {
        throw new SelectorError(`found '${following.text}', expected: identifier after ','`);
      }
    }
  }

  #requirement(): LabelRequirement {
    let negated = false;
    let token = this.#next();
    if (token.kind === "!") {
      negated = true;
      token = this.#next();
    }
    if (token.kind !== "id") {
      throw requirementError(`found '${token.text}', expected: identifier`);
    }
    const key = token.text;
    const keyError = qualifiedNameError(key);
    if (keyError) throw requirementError(`key '${key}': ${keyError}`);
    const following = this.#peek().kind;
    if (negated) return { key, op: "!exists", values: [] };
    if (following === "end" || following === ",") return { key, op: "exists", values: [] };

    const opToken = this.#next(false);
    let op: LabelOperator;
    let values: string[];
    switch (opToken.kind) {
      case "=":
      case "==":
        op = "=";
        values = [this.#exactValue()];
        break;
      case "!=":
        op = "!=";
        values = [this.#exactValue()];
        break;
      case "in":
      case "notin":
        op = opToken.kind;
        values = this.#valueSet();
        break;
      case ">":
      case "<":
        throw requirementError(`operator '${opToken.text}' is not supported`);
      default:
        throw requirementError(`found '${opToken.text}', expected: in, notin, =, ==, !=`);
    }
    for (const value of values) {
      const valueError = labelValueError(value);
      if (valueError) throw requirementError(`value '${value}' of key '${key}': ${valueError}`);
    }
    return { key, op, values };
  }

  #exactValue(): string {
    const token = this.#peek();
    if (token.kind === "end" || token.kind === ",") return "";
    this.#pos++;
    if (token.kind !== "id") {
      throw requirementError(`found '${token.text}', expected: identifier`);
    }
    return token.text;
  }

  /**
   * `( v1, v2, … )` as apimachinery reads it: empty entries (`()`, `(,a)`, `(a,)`, `(a,,b)`)
   * stand for "", and its quirks are kept (`(,,)` and `(a,,)` are errors).
   */
  #valueSet(): string[] {
    const open = this.#next();
    if (open.kind !== "(") throw requirementError(`found '${open.text}' expected: '('`);
    const first = this.#peek();
    if (first.kind === ")") {
      this.#pos++;
      return [""];
    }
    if (first.kind !== "id" && first.kind !== ",") {
      throw requirementError(`found '${first.text}', expected: ',', ')' or identifier`);
    }
    const values = new Set<string>();
    while (true) {
      const token = this.#next();
      if (token.kind === "id") {
        values.add(token.text);
        const after = this.#peek();
        if (after.kind === ")") break;
        if (after.kind !== ",") {
          throw requirementError(`found '${after.text}', expected: ',' or ')'`);
        }
      } else if (token.kind === ",") {
        if (values.size === 0) values.add("");
        const after = this.#peek();
        if (after.kind === ")") {
          values.add("");
          break;
        }
        if (after.kind === ",") {
          this.#pos++;
          values.add("");
        }
      } else {
        throw requirementError(`found '${token.text}', expected: ',', or identifier`);
      }
    }
    this.#pos++; // the closing ")"
    return [...values].sort(compareStrings);
  }
}

function requirementError(message: string): SelectorError {
  return new SelectorError(`unable to parse requirement: ${message}`);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Parses a label selector as kube-apiserver does; `""` (or only whitespace) selects everything.
 * The result is sorted by key, like apimachinery's. Throws {@link SelectorError}.
 *
 * @example
 * ```ts
 * parseLabelSelector("tier in (web,api),!legacy");
 * // [{ key: "legacy", op: "!exists", values: [] }, { key: "tier", op: "in", values: ["api", "web"] }]
 * ```
 */
export function parseLabelSelector(text: string): LabelSelector {
  const selector = new Parser(text).parse();
  // Array.prototype.sort is stable, so requirements with equal keys keep their order.
  return selector.sort((a, b) => compareStrings(a.key, b.key));
}

/** Whether `labels` satisfy every requirement; `!=` and `notin` also match a missing key. */
export function matchesLabels(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const { key, op, values } of selector) {
    const has = Object.hasOwn(labels, key);
    switch (op) {
      case "=":
      case "in":
        if (!has || !values.includes(labels[key])) return false;
        break;
      case "!=":
      case "notin":
        if (has && values.includes(labels[key])) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!exists":
        if (has) return false;
        break;
    }
  }
  return true;
}

function formatRequirement({ key, op, values }: LabelRequirement): string {
  switch (op) {
    case "exists":
      return key;
    case "!exists":
      return `!${key}`;
    case "=":
    case "!=":
      return `${key}${op}${values[0] ?? ""}`;
    case "in":
    case "notin":
      return `${key} ${op} (${[...new Set(values)].sort(compareStrings).join(",")})`;
  }
}

/**
 * The canonical text of a selector as client-go prints it (`a=b`, `a!=b`, `a in (x,y)`, `a`,
 * `!a`), requirements sorted by key (then by text, duplicates dropped), so equal selectors
 * give equal strings.
 */
export function formatLabelSelector(selector: LabelSelector): string {
  const sorted = selector.map((r) => ({ key: r.key, text: formatRequirement(r) }))
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.text, b.text));
  const out: string[] = [];
  for (const { text } of sorted) {
    if (out[out.length - 1] !== text) out.push(text);
  }
  return out.join(",");
}
