// Run a MicroPython script in phases, each phase its own top-level runPython() call (globals are
// shared). Used by bench/firmware.py for heap measurements: the WebAssembly port (pyscript variant)
// only reclaims garbage at top level, between calls, so gc.collect() inside one long script frees
// nothing and mem_alloc() would count garbage. Phases are separated by lines "# ---- phase".
//
// usage: node bench/mpy_phases.mjs [--heap BYTES] [--path DIR[:MOUNT]]... SCRIPT.py [ARGS...]
import fs from "node:fs";
import path from "node:path";

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
    const [dir, mount] = args.shift().split(":");
    mounts.push([path.resolve(dir), mount || "/" + path.basename(path.resolve(dir))]);
  } else { console.error("unknown flag " + flag); process.exit(2); }
}
const script = path.resolve(args[0]);
const mp = await loadMicroPython({ heapsize: heap, stdout: (s) => process.stdout.write(s + "\n"),
  stderr: (s) => process.stderr.write(s + "\n"), linebuffer: true });
function copyTree(src, dst) {
  try { mp.FS.mkdirTree(dst); } catch (e) { /* exists */ }
  for (const name of fs.readdirSync(src)) {
    if (name === "__pycache__" || name.startsWith(".")) continue;
    const s = path.join(src, name), d = dst + "/" + name;
    if (fs.statSync(s).isDirectory()) copyTree(s, d);
    else if (/\.(py|mpy|json|bin)$/.test(name)) mp.FS.writeFile(d, fs.readFileSync(s));
  }
}
const syspaths = [];
for (const [dir, mount] of mounts) { copyTree(dir, mount); syspaths.push(mount); }
const phases = fs.readFileSync(script, "utf8").split(/^# ---- phase.*$/m);
try {
  mp.runPython(`import sys\nsys.path[:0] = ${JSON.stringify(syspaths)}\nsys.argv[:] = ${JSON.stringify([script, ...args.slice(1)])}`);
  for (const code of phases) mp.runPython(code);
} catch (e) {
  process.stderr.write(String(e && e.message ? e.message : e) + "\n");
  process.exit(1);
}
process.exit(0);
