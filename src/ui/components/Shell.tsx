/** The frame around every screen: who and where, sync state, what is not yet at the data center. */
import { useEffect, useState } from 'preact/hooks';
import type { DeviceSummary, Session, SyncStatus } from '../../worker/types.ts';
import { readDb, useLive } from '../live.ts';
import { IntakeScreen } from '../screens/IntakeScreen.tsx';
import { ListScreen } from '../screens/ListScreen.tsx';
import type { StorageHealth } from '../storage.ts';

type Route = 'intake' | 'list';

function routeFromHash(): Route {
  return window.location.hash.startsWith('#/list') ? 'list' : 'intake';
}

const PHASE_LABEL: Record<SyncStatus['phase'], string> = {
  online: 'Đã kết nối trung tâm dữ liệu',
  connecting: 'Đang kết nối…',
  offline: 'Mất kết nối – vẫn làm việc bình thường',
  error: 'Đồng bộ bị dừng',
};

interface Props {
  device: DeviceSummary;
  session: Session;
  status: SyncStatus | null;
  storage: StorageHealth | null;
  applyUpdate: (() => void) | null;
  onLogout: () => void;
}

export function Shell({ device, session, status, storage, applyUpdate, onLogout }: Props) {
  const [route, setRoute] = useState<Route>(routeFromHash());
  useEffect(() => {
    const on = (): void => setRoute(routeFromHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  // Read from the database, not from the sync status: it is right in every tab and while offline.
  const pending = useLive(() => readDb().outbox.count(), [], 0);
  const phase = status?.phase ?? 'connecting';

  return (
    <div class="shell">
      <header class="topbar no-print">
        <div class="who">
          <strong>{device.unitName}</strong> · {session.displayName}
        </div>
        <nav>
          <a href="#/intake" data-testid="nav-intake" aria-current={route === 'intake' ? 'page' : undefined}>
            Tiếp nhận
          </a>
          <a href="#/list" data-testid="nav-list" aria-current={route === 'list' ? 'page' : undefined}>
            Danh sách hồ sơ
          </a>
        </nav>
        <div class="sync" data-testid="sync-status" data-state={phase} title={PHASE_LABEL[phase]}>
          <span class={`dot ${phase}`} aria-hidden="true" /> {PHASE_LABEL[phase]}
          {status?.reason === 'revoked' && ' (thiết bị đã bị thu hồi, liên hệ quản trị viên)'}
        </div>
        <div class="pending" title="Số thay đổi chưa lên trung tâm dữ liệu">
          Chưa đồng bộ: <strong data-testid="pending-count">{pending}</strong>
        </div>
        <button type="button" class="link" onClick={onLogout}>
          Đăng xuất
        </button>
      </header>
      {storage !== null && storage.persisted === false && (
        <p class="warning no-print" role="alert" data-testid="storage-warning">
          Trình duyệt chưa cho phép lưu trữ lâu dài: dữ liệu chưa đồng bộ có thể bị xoá khi máy thiếu dung lượng. Hãy cài ứng dụng
          (Thêm vào màn hình chính) hoặc đồng bộ thường xuyên.
        </p>
      )}
      {storage?.lowSpace === true && (
        <p class="warning no-print" role="alert" data-testid="storage-low">
          Dung lượng lưu trữ sắp hết ({Math.round((storage.quota - storage.usage) / 1048576)} MB còn trống). Hãy giải phóng bộ nhớ trước khi tiếp nhận thêm hồ sơ.
        </p>
      )}
      {applyUpdate !== null && (
        <p class="info no-print" data-testid="update-prompt">
          Đã có phiên bản mới. Hãy hoàn tất hồ sơ đang nhập rồi{' '}
          <button type="button" data-testid="update-reload" onClick={applyUpdate}>
            Tải lại
          </button>
        </p>
      )}
      {route === 'intake' ? <IntakeScreen /> : <ListScreen />}
    </div>
  );
}
