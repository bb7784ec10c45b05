/**
 * Rewrites of a `core.v1.ConfigMap` message (k8s.io/api `core/v1/generated.proto`): ConfigMap
 * { metadata 1, data 2 (map entries { key 1, value 2 }), binaryData 3, immutable 4 }. Other entries
 * keep their bytes. Pure.
 * @module
 */
import { mapRepeated, readStringField } from "./repeated.ts";
import { concat } from "../../streams/concat.ts";
import { stringField } from "./wire.ts";

const DATA = 2;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

/**
 * Passes the `data[key]` text to `edit`; a string it returns replaces the value. Returns undefined
 * when nothing changed, else the new message.
 */
export function editConfigMapData(
  configMap: Uint8Array,
  key: string,
  edit: (value: string) => string | undefined,
): Uint8Array | undefined {
  return mapRepeated(configMap, DATA, (entry) => {
    if (readStringField(entry, ENTRY_KEY) !== key) return undefined;
    const value = edit(readStringField(entry, ENTRY_VALUE) ?? "");
    if (value === undefined) return undefined;
    return concat([stringField(ENTRY_KEY, key), stringField(ENTRY_VALUE, value)]);
  });
}
