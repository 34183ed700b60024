import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every Linux Node supports. */
const ticksPerSecond = 100;

interface ProcStat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) used so far by each process and its descendants, by role; null where
 * /proc cannot tell (not Linux). Wrappers such as the DynamoDB Local launcher count their Java child.
 */
export function cpuSecondsByRole(pids: Record<string, number>): Record<string, number | null> {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return Object.fromEntries(Object.keys(pids).map((role) => [role, null]));
  }
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  const treeTicks = (pid: number): number =>
    (stats.get(pid)?.ticks ?? 0) + (children.get(pid) ?? []).reduce((sum, child) => sum + treeTicks(child), 0);
  return Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, stats.has(pid) ? treeTicks(pid) / ticksPerSecond : null]));
}
