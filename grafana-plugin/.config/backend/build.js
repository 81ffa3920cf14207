/**
 * Builds the backend executable, `gpx_pxgate_<os>_<arch>` (Grafana's name for it: plugin.json's
 * `executable` plus Go's os and arch names), as a Node single-executable application: esbuild
 * bundles src/backend/main.ts with everything it imports (the `.proto` files as text, the
 * bundled PxL scripts as data), Node turns the bundle into a blob, and postject injects the blob
 * into a copy of the Node binary running this build. The executable needs no Node on the host
 * and reads no file of its own at run time.
 *
 * `node .config/backend/build.js [OUT_DIR]` writes to OUT_DIR (default: dist/). It builds for
 * the machine it runs on: run it on an arm64 host (with an arm64 Node) for linux/arm64.
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { SCRIPTS_DIR, readCatalog } = require('../scripts/read-catalog');

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'src', 'backend', 'main.ts');
const EXECUTABLE = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'src', 'plugin.json'), 'utf8'),
).executable;
/** Node's fuse for single-executable applications (Node's docs, "Single executable applications"). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const GO_ARCH = { x64: 'amd64', arm64: 'arm64', arm: 'arm' };

/** The executable's file name for this machine, e.g. `gpx_pxgate_linux_amd64`. */
function executableName(platform = process.platform, arch = process.arch) {
  if (platform !== 'linux') {
    throw new Error(`the backend builds on Linux only (this is ${platform})`);
  }
  const goArch = GO_ARCH[arch];
  if (!goArch) throw new Error(`no Grafana name for the ${arch} architecture`);
  return `${EXECUTABLE}_linux_${goArch}`;
}

/** `@pxgate/scripts`: the catalog, read now and bundled as data. */
const catalogPlugin = {
  name: 'pxgate-scripts',
  setup(build) {
    build.onResolve({ filter: /^@pxgate\/scripts$/ }, () => ({
      path: 'catalog',
      namespace: 'pxgate-scripts',
    }));
    build.onLoad({ filter: /.*/, namespace: 'pxgate-scripts' }, () => ({
      contents: `module.exports = ${JSON.stringify(readCatalog(SCRIPTS_DIR))};`,
      loader: 'js',
      watchDirs: [SCRIPTS_DIR],
    }));
  },
};

/** Bundles the backend into one CommonJS file. */
async function bundle(outFile) {
  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: [ENTRY],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    loader: { '.proto': 'text' },
    plugins: [catalogPlugin],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** Builds the executable into `outDir`; returns its path. */
async function buildBackend(outDir = path.join(ROOT, 'dist')) {
  const output = path.join(outDir, executableName());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pxgate-backend-'));
  try {
    const bundled = path.join(work, 'backend.js');
    await bundle(bundled);
    const blob = path.join(work, 'backend.blob');
    fs.writeFileSync(
      path.join(work, 'sea-config.json'),
      JSON.stringify({
        main: bundled,
        output: blob,
        disableExperimentalSEAWarning: true,
        useCodeCache: true,
      }),
    );
    execFileSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], {
      cwd: work,
      stdio: 'ignore',
    });
    const binary = path.join(work, 'node');
    fs.copyFileSync(process.execPath, binary);
    fs.chmodSync(binary, 0o755);
    const { inject } = require('postject');
    await inject(binary, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: SEA_FUSE });
    fs.mkdirSync(outDir, { recursive: true });
    fs.copyFileSync(binary, output);
    fs.chmodSync(output, 0o755);
    return output;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { buildBackend, bundle, executableName };

if (require.main === module) {
  const started = Date.now();
  buildBackend(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (file) => {
      const mib = (fs.statSync(file).size / 1024 / 1024).toFixed(1);
      console.log(
        `built ${path.relative(process.cwd(), file)} (${mib} MiB) in ${Date.now() - started} ms`,
      );
    },
    (err) => {
      console.error(`backend build failed: ${err.message}`);
      process.exit(1);
    },
  );
}
