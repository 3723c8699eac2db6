import { MemoryStore } from '../../sync-server/store/memory.ts';
import { runProjectionContract } from './projection-contract.ts';
import { runStoreContract } from './store-contract.ts';

runStoreContract('memory', async () => new MemoryStore());
runProjectionContract('memory', async () => new MemoryStore());
