import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { childrenOf, commandOf, parentOf, treeCpuMs } from './proc.ts';

describe.skipIf(process.platform !== 'linux')('process accounting from /proc', () => {
  it('counts the CPU of a child still running, then once it has been reaped', async () => {
    const before = treeCpuMs(process.pid);
    const own = process.cpuUsage();
    // A child that burns about 300 ms of CPU, then exits.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    expect(childrenOf(process.pid)).toContain(child.pid);
    expect(parentOf(child.pid!)).toBe(process.pid);
    expect(commandOf(child.pid!)).toMatch(/node/);
    await once(child, 'exit');
    // Reaped: its time is now in this process's cutime/cstime, and still in the tree's account.
    expect(childrenOf(process.pid)).not.toContain(child.pid);
    const ownMs = (process.cpuUsage(own).user + process.cpuUsage(own).system) / 1000;
    expect(treeCpuMs(process.pid) - before - ownMs).toBeGreaterThanOrEqual(200);
  });
});
