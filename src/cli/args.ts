/**
 * The command-line grammar: commands with options, arguments and subcommands, parsed the way
 * commander parses them (which the CLI used before: same error texts, `--flag=value`, options
 * anywhere after their command, `--` ends the options, `-h`/`--help` and a `help [command]`
 * command), and their help text. Pure: {@link parseCommandLine} returns what to do.
 * @module
 */

/** One option of a command. */
export interface OptionSpec {
  /** The long flag, e.g. `--cache-path`; the key of its value in {@link OptionValues}. */
  flag: string;
  /** A one-letter alias, e.g. `-V`. */
  short?: string;
  /** The value's name in help (`FILE`); a switch (no value) when absent. */
  arg?: string;
  /** One line of help. */
  help: string;
  /** Every occurrence is kept, in order, as a list. */
  repeatable?: boolean;
  /** The value when the option is not given (shown in help). */
  default?: string | readonly string[];
}

/** One positional argument of a command. */
export interface ArgumentSpec {
  /** Its name in help, e.g. `FILE`. */
  name: string;
  /** One line of help. */
  help: string;
  /** May be left out (only the last ones). */
  optional?: boolean;
}

/** Option values by flag: a string, a list for repeatable options, `true` for a given switch. */
export type OptionValues = Record<string, string | string[] | true | undefined>;

/** A command: its options and arguments and what it does, or its subcommands. */
export interface CommandSpec {
  name: string;
  description: string;
  options?: readonly OptionSpec[];
  arguments?: readonly ArgumentSpec[];
  subcommands?: readonly CommandSpec[];
  /** What the command does (a command with subcommands has none). */
  action?: Action;
}

/** Runs a command with its arguments (missing optional ones absent) and option values. */
export type Action = (args: string[], options: OptionValues) => Promise<void> | void;

/** What a command line asks for. */
export type ParsedCommandLine =
  /** Run the command's `action` with `args` and `options`. */
  | { kind: "action"; action: Action; args: string[]; options: OptionValues }
  /** Print `text`: asked for (stdout, exit 0) or because a command is missing (stderr, exit 2). */
  | { kind: "help"; text: string; error: boolean }
  /** Print the program's version (`-V`, `--version`). */
  | { kind: "version" }
  /** A usage error: print `message` and exit 2. */
  | { kind: "usage"; message: string };

const HELP_FLAGS = ["-h", "--help"];
const HELP_OPTION: OptionSpec = { flag: "--help", short: "-h", help: "display help for command" };
const HELP_COMMAND = "help";
const VERSION_FLAG = "--version";
/** Help is wrapped to this width, as commander did when not writing to a terminal. */
const HELP_WIDTH = 80;

/** Thrown inside the parser to end it with an outcome. */
class Stop {
  constructor(readonly outcome: ParsedCommandLine) {}
}

/**
 * Parses `args` (without the program name) against `program`. Every command has `-h, --help`
 * (and, with subcommands, `help [command]`); an option `--version` asks for the version.
 */
export function parseCommandLine(program: CommandSpec, args: readonly string[]): ParsedCommandLine {
  try {
    return parseCommand([program], [], [...args]);
  } catch (error) {
    if (error instanceof Stop) return error.outcome;
    throw error;
  }
}

/** The help text of the last command of `path` (program first), laid out as commander's. */
function helpText(path: readonly CommandSpec[]): string {
  const command = path[path.length - 1];
  const options = [...command.options ?? [], HELP_OPTION];
  const subcommands = command.subcommands ?? [];
  const commands = subcommands.length > 0
    ? [
      ...subcommands.map((sub): [string, string] => [subcommandTerm(sub), sub.description]),
      [`${HELP_COMMAND} [command]`, "display help for command"] as [string, string],
    ]
    : [];
  const argumentItems = (command.arguments ?? []).map((a): [string, string] => [a.name, a.help]);
  const optionItems = options.map((o): [string, string] => [optionTerm(o), optionHelp(o)]);
  const width = Math.max(...[...argumentItems, ...optionItems, ...commands].map(([t]) => t.length));
  const usage = [
    ...path.map((c) => c.name),
    "[options]",
    ...subcommands.length > 0 ? ["[command]"] : [],
    ...(command.arguments ?? []).map(argumentTerm),
  ].join(" ");
  const sections = [`Usage: ${usage}`, wrap(command.description, HELP_WIDTH, 0)];
  const list = (title: string, items: [string, string][]) => {
    if (items.length === 0) return;
    const lines = items.map(([term, help]) =>
      `  ${term.padEnd(width)}  ${wrap(help, HELP_WIDTH, width + 4)}`.trimEnd()
    );
    sections.push(`${title}\n${lines.join("\n")}`);
  };
  list("Arguments:", argumentItems);
  list("Options:", optionItems);
  list("Commands:", commands);
  return `${sections.filter((s) => s !== "").join("\n\n")}\n`;
}

/** commander's `Command._parseCommand`, for `path`'s last command. */
function parseCommand(
  path: CommandSpec[],
  operandsBefore: string[],
  rest: string[],
): ParsedCommandLine {
  const command = path[path.length - 1];
  const parsed = parseOptions(command, rest);
  const operands = [...operandsBefore, ...parsed.operands];
  const unknown = parsed.unknown;
  const subcommands = command.subcommands ?? [];
  const sub = subcommands.find((c) => c.name === operands[0]);
  if (sub) return parseCommand([...path, sub], operands.slice(1), unknown);
  if (subcommands.length > 0 && operands[0] === HELP_COMMAND) {
    if (operands[1] === undefined) return help(path, false);
    const named = subcommands.find((c) => c.name === operands[1]);
    return named ? help([...path, named], false) : help(path, true);
  }
  if (subcommands.length > 0 && operands.length === 0 && unknown.length === 0) {
    return help(path, true);
  }
  if (unknown.some((arg) => HELP_FLAGS.includes(arg))) return help(path, false);
  if (command.action) {
    if (unknown.length > 0) unknownOption(path, unknown[0]);
    const args = checkArguments(path, operands);
    return { kind: "action", action: command.action, args, options: parsed.values };
  }
  if (operands.length > 0) {
    const names = subcommands.map((c) => c.name);
    usage(`unknown command '${operands[0]}'${suggestion(operands[0], names)}`);
  }
  if (unknown.length > 0) unknownOption(path, unknown[0]);
  return help(path, true);
}

/** commander's `Command.parseOptions`: this command's options out of `args`. */
function parseOptions(command: CommandSpec, args: string[]) {
  const options = command.options ?? [];
  const values: OptionValues = {};
  for (const option of options) {
    if (option.default !== undefined) {
      values[option.flag] = typeof option.default === "string"
        ? option.default
        : [...option.default];
    }
  }
  const given = new Set<string>();
  const set = (option: OptionSpec, value: string | true) => {
    if (option.flag === VERSION_FLAG) throw new Stop({ kind: "version" });
    if (option.repeatable && typeof value === "string") {
      const previous = given.has(option.flag) ? values[option.flag] as string[] : [];
      values[option.flag] = [...previous, value];
    } else {
      values[option.flag] = value;
    }
    given.add(option.flag);
  };
  const find = (flag: string) => options.find((o) => o.flag === flag || o.short === flag);
  const operands: string[] = [];
  const unknown: string[] = [];
  let dest = operands;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      if (dest === unknown) dest.push(arg);
      dest.push(...args.slice(i + 1));
      break;
    }
    const isOption = arg.length > 1 && arg[0] === "-";
    const option = isOption ? find(arg) : undefined;
    if (option) {
      if (option.arg === undefined) set(option, true);
      else {
        const value = args[++i];
        if (value === undefined) usage(`option '${optionTerm(option)}' argument missing`);
        set(option, value);
      }
      continue;
    }
    if (isOption && arg[1] !== "-" && arg.length > 2) {
      const short = find(arg.slice(0, 2));
      if (short?.arg !== undefined) {
        set(short, arg.slice(2));
        continue;
      }
    }
    const equals = /^--[^=]+=/.test(arg) ? arg.indexOf("=") : -1;
    const long = equals > 0 ? find(arg.slice(0, equals)) : undefined;
    if (long?.arg !== undefined) {
      set(long, arg.slice(equals + 1));
      continue;
    }
    if (dest === operands && isOption) dest = unknown;
    dest.push(arg);
  }
  return { operands, unknown, values };
}

/** The arguments of an action, checked against its specs (commander's messages). */
function checkArguments(path: CommandSpec[], args: string[]): string[] {
  const command = path[path.length - 1];
  const specs = command.arguments ?? [];
  specs.forEach((spec, i) => {
    if (!spec.optional && args[i] === undefined) {
      usage(`missing required argument '${spec.name}'`);
    }
  });
  if (args.length > specs.length) {
    const s = specs.length === 1 ? "" : "s";
    usage(
      `too many arguments for '${command.name}'. Expected ${specs.length} argument${s} but got ${args.length}: ${
        args.join(", ")
      }.`,
    );
  }
  return args;
}

function unknownOption(path: CommandSpec[], flag: string): never {
  const flags = flag.startsWith("--")
    ? path.flatMap((c) => [...c.options ?? [], HELP_OPTION].map((o) => o.flag))
    : [];
  return usage(`unknown option '${flag}'${suggestion(flag, flags)}`);
}

function usage(message: string): never {
  throw new Stop({ kind: "usage", message });
}

function help(path: CommandSpec[], error: boolean): ParsedCommandLine {
  return { kind: "help", text: helpText(path), error };
}

function optionTerm(option: OptionSpec): string {
  const flags = option.short ? `${option.short}, ${option.flag}` : option.flag;
  return option.arg === undefined ? flags : `${flags} <${option.arg}>`;
}

function optionHelp(option: OptionSpec): string {
  if (option.default === undefined) return option.help;
  return `${option.help} (default: ${JSON.stringify(option.default)})`;
}

function argumentTerm(spec: ArgumentSpec): string {
  return spec.optional ? `[${spec.name}]` : `<${spec.name}>`;
}

function subcommandTerm(command: CommandSpec): string {
  return [
    command.name,
    ...(command.options?.length ? ["[options]"] : []),
    ...(command.arguments ?? []).map(argumentTerm),
  ].join(" ");
}

/** `text` wrapped at `width`, continuation lines indented by `indent`; unwrapped when too narrow. */
function wrap(text: string, width: number, indent: number): string {
  if (width - indent < 40) return text;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/** commander's suggestion for a mistyped name: the candidates fewest edits away, if close. */
function suggestion(word: string, candidates: readonly string[]): string {
  const options = word.startsWith("--");
  const bare = (name: string) => options ? name.slice(2) : name;
  const target = bare(word);
  let best = 3;
  let similar: string[] = [];
  for (const candidate of new Set(candidates)) {
    const name = bare(candidate);
    if (name.length <= 1) continue;
    const distance = editDistance(target, name);
    const length = Math.max(target.length, name.length);
    if ((length - distance) / length <= 0.4) continue;
    if (distance < best) {
      best = distance;
      similar = [candidate];
    } else if (distance === best) {
      similar.push(candidate);
    }
  }
  similar.sort((a, b) => a.localeCompare(b));
  if (similar.length > 1) return `\n(Did you mean one of ${similar.join(", ")}?)`;
  return similar.length === 1 ? `\n(Did you mean ${similar[0]}?)` : "";
}

/** Damerau–Levenshtein distance (optimal string alignment), capped as commander's. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let j = 1; j <= b.length; j++) {
    for (let i = 1; i <= a.length; i++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
