/** The form an intake ends with: Mẫu 01 (received), 02 (supplement requested) or 03 (refused). */
import type { Receipt } from '../../worker/types.ts';
import { Form01, Form02, Form03 } from './Forms.tsx';
import { snapshotOfReceipt } from './snapshot.ts';

export function IntakeForm({ receipt }: { receipt: Receipt }) {
  const s = snapshotOfReceipt(receipt);
  switch (receipt.kind) {
    case 'receive':
      return <Form01 s={s} />;
    case 'supplement':
      return <Form02 s={s} />;
    case 'refuse':
      return <Form03 s={s} />;
  }
}
