import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Installs like a real tool: `npm pack` of this checkout, `npm install -g` of the tarball into a temporary prefix
 * with an empty npm cache and --offline (so nothing can come from a registry: the package must carry or bundle all
 * it needs), then the installed `bpf-iter` checks and runs an example from outside the repository.
 */
const root = path.resolve(__dirname, '../../..');

describe('npm pack: the tarball installs offline and runs', function () {
  this.timeout(300000);
  let work = '';
  before(function () {
    if (spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0) { console.log('    skipped: npm is not installed'); this.skip(); }
    if (!fs.existsSync(path.join(root, 'dist/cli.js'))) { console.log('    skipped: dist/ is not built (npm run build)'); this.skip(); }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bil-pack-'));
  });
  after(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('packs the bundled CLI with its headers and examples, installs with npm install -g --offline, and runs check and run', () => {
    const npmEnv = { ...process.env, npm_config_cache: path.join(work, 'cache'), npm_config_update_notifier: 'false' };
    // --ignore-scripts: the test runs after the build; prepare would build again
    const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8', env: npmEnv });
    assert.strictEqual(pack.status, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info.files.map((f) => f.path);
    for (const needed of ['bin/bpf-iter.js', 'dist/cli.js', 'server/headers/vmlinux.h', 'server/headers/bpf/bpf_helpers.h', 'server/loader/bpf-iter-loader.c', 'examples/hash_dump.bpf.c', 'package.json']) {
      assert.ok(files.includes(needed), `${needed} is not in the tarball`);
    }
    assert.ok(!files.some((f) => /^(test|node_modules|out)\//.test(f)), 'tests and build output stay out');
    const prefix = path.join(work, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(work, path.basename(info.filename))], { encoding: 'utf8', env: npmEnv, cwd: work });
    assert.strictEqual(install.status, 0, install.stderr);
    assert.ok(!/EBADENGINE/.test(install.stderr), install.stderr);
    const bin = path.join(prefix, 'bin', 'bpf-iter');
    const example = path.join(prefix, 'lib', 'node_modules', 'bpf-iter-lab', 'examples', 'hash_dump.bpf.c');
    // only node on PATH: the installed tool must need nothing else
    const env = { PATH: path.dirname(process.execPath), HOME: work };
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8', env, cwd: work });
    assert.strictEqual(version.stdout.trim(), `bpf-iter ${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}`, version.stderr);
    const check = spawnSync(bin, ['check', example], { encoding: 'utf8', env, cwd: work });
    assert.strictEqual(check.status, 0, check.stdout + check.stderr);
    const ran = spawnSync(bin, ['run', example], { encoding: 'utf8', env, cwd: work });
    assert.strictEqual(ran.status, 0, ran.stderr);
    const fromCheckout = spawnSync(process.execPath, [path.join(root, 'bin/bpf-iter.js'), 'run', path.join(root, 'examples/hash_dump.bpf.c')], { encoding: 'utf8' });
    assert.ok(ran.stdout.length > 0);
    assert.strictEqual(ran.stdout, fromCheckout.stdout);
  });
});
