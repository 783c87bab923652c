// Run a Python file under real MicroPython (v1.27, WebAssembly port) in Node.
//
// usage: node scripts/mpy_run.mjs [--heap BYTES] [--path DIR[:MOUNT]]... SCRIPT.py [ARGS...]
//
// Each --path DIR is copied into the MicroPython filesystem (at MOUNT, default /DIR's basename)
// and MOUNT is put on sys.path. sys.argv gets SCRIPT and ARGS. Exit code 1 if the script raised,
// with the MicroPython traceback on stderr.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const modDir = process.env.CLASSLAB_MPY_DIR ||
  path.join(here, "..", ".tools", "node_modules", "@micropython", "micropython-webassembly-pyscript");
const { loadMicroPython } = await import(path.join(modDir, "micropython.mjs"));

const args = process.argv.slice(2);
let heap = 1024 * 1024;
const mounts = [];
while (args.length && args[0].startsWith("--")) {
  const flag = args.shift();
  if (flag === "--heap") heap = parseInt(args.shift(), 10);
  else if (flag === "--path") {
    const spec = args.shift();
    const [dir, mount] = spec.split(":");
    mounts.push([path.resolve(dir), mount || "/" + path.basename(path.resolve(dir))]);
  } else { console.error("unknown flag " + flag); process.exit(2); }
}
if (!args.length) { console.error("usage: mpy_run.mjs [--heap N] [--path DIR[:MOUNT]]... SCRIPT.py [ARGS]"); process.exit(2); }
const script = path.resolve(args[0]);

const out = (s) => process.stdout.write(s + "\n");
const err = (s) => process.stderr.write(s + "\n");
const mp = await loadMicroPython({ heapsize: heap, stdout: out, stderr: err, linebuffer: true });

function copyTree(src, dst) {
  try { mp.FS.mkdirTree(dst); } catch (e) { /* exists */ }
  for (const name of fs.readdirSync(src)) {
    if (name === "__pycache__" || name.startsWith(".")) continue;
    const s = path.join(src, name), d = dst + "/" + name;
    const st = fs.statSync(s);
    if (st.isDirectory()) copyTree(s, d);
    else if (name.endsWith(".py") || name.endsWith(".json") || name.endsWith(".bin")) mp.FS.writeFile(d, fs.readFileSync(s));
  }
}
const syspaths = [];
for (const [dir, mount] of mounts) { copyTree(dir, mount); syspaths.push(mount); }
mp.FS.mkdirTree("/script");
mp.FS.writeFile("/script/main.py", fs.readFileSync(script));
const argv = JSON.stringify([script, ...args.slice(1)]);
const boot = `
import sys
sys.path[:0] = ${JSON.stringify(["/script", ...syspaths])}
sys.argv[:] = ${argv}
`;
try {
  mp.runPython(boot);
  mp.runPython("exec(open('/script/main.py').read(), {'__name__': '__main__'})");
} catch (e) {
  err(String(e && e.message ? e.message : e));
  process.exit(1);
}
process.exit(0);
