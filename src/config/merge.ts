/**
 * Merging settings layers: a later layer's value replaces an earlier one field by field.
 * @module
 */
import type { FieldName, Origins, Settings, SourcedSettings } from "./fields.ts";

/**
 * Merges layers given lowest precedence first (defaults, then the file, then flags). A list
 * replaces the earlier list whole; origins follow the winning value.
 */
export function mergeSettings(...layers: SourcedSettings[]): SourcedSettings {
  const settings: Record<string, unknown> = {};
  const origins: Origins = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.settings)) {
      if (value === undefined) continue;
      settings[key] = value;
      origins[key as FieldName] = layer.origins[key as FieldName];
    }
  }
  return { settings: settings as Settings, origins };
}
