/**
 * `npm run admin-token`: makes a new admin token, stores its hash over the old one's (admin-token.ts)
 * and prints it, once. The store is the one the server uses (DATA_DIR or DATABASE_URL). Running
 * servers keep checking the old hash until they are restarted; an ADMIN_TOKEN in the server's
 * environment wins over the stored hash.
 */
import { rotateAdminToken } from './admin-token.ts';
import { openStoreFromEnv } from './open-store.ts';

async function main(): Promise<void> {
  const { store, description } = await openStoreFromEnv();
  try {
    const { token } = await rotateAdminToken(store);
    const out = (line: string): boolean => process.stdout.write(`${line}\n`);
    out(`Lưu trữ / Storage: ${description}`);
    out(`Mã quản trị mới (chỉ hiện lần này, hãy lưu lại) / New admin token (shown only now, keep it): ${token}`);
    out('Khởi động lại máy chủ để dùng mã mới / Restart the server(s) to use it');
    if ((process.env.ADMIN_TOKEN ?? '') !== '') {
      out('Lưu ý: ADMIN_TOKEN đang đặt sẽ được dùng thay / Note: ADMIN_TOKEN, which is set, takes precedence');
    }
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  console.error(`Không đổi được mã quản trị / Admin token not rotated: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
