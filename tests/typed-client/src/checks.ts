// What each script run against the live server shares: checks that record failures, and one
// closing line, `<name>: N checks passed` (exit 0) or `<name>: F of N checks failed` (exit 1),
// which tests/system/test_typed_client.py reads.

const failures: string[] = [];
let checks = 0;

export function check(condition: boolean, message: string, extra?: unknown): void {
  checks += 1;
  if (!condition) {
    failures.push(extra === undefined ? message : `${message}: ${JSON.stringify(extra)}`);
  }
}

export async function runChecks(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push(`unexpected error: ${text}`);
  }
  if (failures.length > 0) {
    for (const failure of failures) console.log(`FAIL ${failure}`);
    console.log(`${name}: ${failures.length} of ${checks} checks failed`);
    process.exit(1);
  }
  console.log(`${name}: ${checks} checks passed`);
}
