// SPDX-License-Identifier: LGPL-2.1-or-later
// The checks of the Node.js test drivers, with the closing line every driver of this project
// prints ("NAME: N passed, N failed"; tests/lib.sh has the shell version).
let passed = 0, failed = 0;

// GOT and EXPECTED compared as JSON.
export function check(what, got, expected) {
    if (JSON.stringify(got) === JSON.stringify(expected)) {
        passed++;
        return;
    }
    failed++;
    console.log(`FAILED: ${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
}

// FN's result, or undefined and one failure when it throws.
export async function attempt(what, fn) {
    try {
        return await fn();
    } catch (error) {
        failed++;
        console.log(`FAILED: ${what}: ${error && error.stack ? error.stack : error}`);
        return undefined;
    }
}

// Prints the closing line and exits: 0 only when something passed and nothing failed.
export function finish(name) {
    console.log(`${name}: ${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
