import { MemoryStore } from '../../sync-server/store/memory.ts';
import { runStoreContract } from './store-contract.ts';

runStoreContract('memory', async () => new MemoryStore());
