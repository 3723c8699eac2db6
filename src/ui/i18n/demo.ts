/** The DEMO banner's strings (components/DemoBanner.tsx). */
import { defineMessages } from './index.ts';

const vi = {
  'demo.banner': 'BẢN DÙNG THỬ (DEMO): không nhập dữ liệu thật',
  'demo.detail': 'Máy chủ đang chạy chế độ dùng thử; dữ liệu và tài khoản ở đây chỉ để thử.',
};

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  'demo.banner': 'DEMO VERSION: do not enter real data',
  'demo.detail': 'The server runs in demo mode; data and accounts here are for trying the app only.',
};

export const t = defineMessages<Key>(vi, en);
