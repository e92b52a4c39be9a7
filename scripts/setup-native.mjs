#!/usr/bin/env node
// The workspace's root `postinstall`: the native backend setup of @vaekit/backends (its
// `vaekit-native-setup` command; the logic lives in packages/backends/bin/native-setup.mjs) run on this
// repository. Optional, as befits an install step: where native cannot be set up it explains why and
// exits 0, so wasm and cpu still work, unless VAEKIT_REQUIRE_NATIVE=1 (CI) makes that a failure.
// Run it again any time: `node scripts/setup-native.mjs`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { setupNative } from '../packages/backends/bin/native-setup.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.exitCode = setupNative({ root: repoRoot, optional: true, rerun: 'node scripts/setup-native.mjs' });
