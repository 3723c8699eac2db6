/**
 * `npm run backup [-- <file>]`: a consistent copy of the embedded store while the server runs (rule
 * S17). Reads `${DATA_DIR}/motcua.sqlite`; writes `<file>`, or `${DATA_DIR}/backups/motcua-<UTC time>.sqlite`,
 * never over an existing file. The copy carries a restore mark: a server started on it takes a new
 * epoch, and devices send back what they hold that the copy lacks (README: Backup and restore).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupSqlite } from './store/sqlite-backup.ts';

async function main(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ?? './data');
  const source = join(dataDir, 'motcua.sqlite');
  if (!existsSync(source)) {
    console.error(`Không thấy kho dữ liệu / No store at ${source} (DATA_DIR)`);
    process.exit(2);
  }
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const dest = resolve(process.argv[2] ?? join(dataDir, 'backups', `motcua-${stamp}.sqlite`));
  const done = await backupSqlite(source, dest);
  const mb = (done.bytes / 1024 / 1024).toFixed(1);
  process.stdout.write(`Đã sao lưu / Backup written: ${done.path} (${mb} MB, đến bản ghi / up to seq ${done.headSeq})\n`);
}

main().catch((err: unknown) => {
  console.error(`Sao lưu thất bại / Backup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
