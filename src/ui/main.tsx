import { render } from 'preact';
import { App } from './App.tsx';
import { boot } from './bridge.ts';
import './styles.css';

// Before the first render: the worker loads while the page renders (see bridge.ts).
void boot().catch(() => undefined);

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
