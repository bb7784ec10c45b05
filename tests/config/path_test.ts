import { dirname, isAbsolute, join } from "node:path";
import { assertEquals } from "../assert.ts";
import { besideFile } from "../../src/config/path.ts";

Deno.test("besideFile joins a relative path to the file's folder as node:path does", () => {
  const files = ["/etc/holdfast/config.yaml", "config.yaml", "a/b/c.yaml", "/c.yaml", "./c.yaml"];
  const paths = ["ca.crt", "./pki/ca.crt", "../ca.crt", "../../../x", "a//b/./c", "dir/", "."];
  for (const file of files) {
    for (const path of paths) {
      const expected = isAbsolute(path) ? path : join(dirname(file), path);
      assertEquals(besideFile(file, path), expected, `${file} + ${path}`);
    }
  }
});

Deno.test("besideFile keeps absolute and empty paths as they are", () => {
  assertEquals(besideFile("/etc/c.yaml", "/var/lib/x"), "/var/lib/x");
  assertEquals(besideFile("/etc/c.yaml", ""), "");
});
