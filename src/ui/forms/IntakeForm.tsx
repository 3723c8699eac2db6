/** The form an intake ends with: Mẫu 01 (received), 02 (supplement requested) or 03 (refused). */
import type { Receipt } from '../../worker/types.ts';
import { Form01 } from './Form01.tsx';
import { Form02 } from './Form02.tsx';
import { Form03 } from './Form03.tsx';
import { fromReceipt } from './model.ts';

export function collectPlace(unitName: string): string {
  return `Trung tâm Phục vụ hành chính công ${unitName}`;
}

export function IntakeForm({ receipt }: { receipt: Receipt }) {
  const d = fromReceipt(receipt);
  switch (receipt.kind) {
    case 'receive':
      return <Form01 d={d} collectAt={collectPlace(receipt.unitName)} />;
    case 'supplement':
      return <Form02 d={d} s={{ missing: receipt.missing, reason: receipt.reason, at: receipt.receivedAt, officerName: receipt.officerName }} />;
    case 'refuse':
      return <Form03 d={d} r={{ reason: receipt.reason, at: receipt.receivedAt, officerName: receipt.officerName }} />;
  }
}
