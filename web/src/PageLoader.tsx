/**
 * The page area around pages whose code loads on demand (lazy-pages.ts): "Loading…" while the
 * chunk downloads, and when it cannot be loaded (typically the server was upgraded since this tab
 * opened, so the old chunk is gone) a message with a Reload button instead of a blank page.
 */
import { Component, Suspense, type ReactNode } from 'react';

interface Props { children: ReactNode; /** The route: a new one clears a failure. */ resetKey: string }
interface State { failure: unknown }

/** True for the browser's error when an `import()` fails (Chromium, Firefox and Safari word it differently). */
function isChunkFailure(err: unknown): boolean {
  return err instanceof Error && /dynamically imported module|module script failed|error loading dynamically imported|importing a module script failed/i.test(err.message);
}

class PageFailure extends Component<Props, State> {
  override state: State = { failure: null };

  static getDerivedStateFromError(failure: unknown): State {
    return { failure: failure ?? new Error('unknown error') };
  }

  override componentDidUpdate(previous: Props): void {
    if (previous.resetKey !== this.props.resetKey && this.state.failure !== null) this.setState({ failure: null });
  }

  override render(): ReactNode {
    const { failure } = this.state;
    if (failure === null) return this.props.children;
    return (
      <section className="page-failure">
        <h2>This page could not be loaded</h2>
        <p role="alert">
          {isChunkFailure(failure)
            ? 'Its code could not be downloaded: Cloudbridge may have been upgraded since this tab was opened, or the server is not reachable. Reload to get the current version.'
            : `It failed while showing: ${failure instanceof Error ? failure.message : String(failure)}. Reload to try again.`}
        </p>
        <button type="button" onClick={() => window.location.reload()}>Reload</button>
      </section>
    );
  }
}

export function PageLoader({ children, resetKey }: Props) {
  return (
    <PageFailure resetKey={resetKey}>
      <Suspense fallback={<p role="status">Loading…</p>}>{children}</Suspense>
    </PageFailure>
  );
}
