/**
 * The script editor: CodeMirror 6 with line numbers and JavaScript highlighting (also used for
 * JSONata, which has no CodeMirror mode in our packages), read-only for viewers, and the line of
 * the last test error marked until the script changes.
 */
import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { Compartment, EditorState, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';

const markLine = StateEffect.define<number | null>();

const errorLine = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = tr.docChanged ? Decoration.none : marks.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(markLine)) continue;
      const n = e.value;
      next = n !== null && n >= 1 && n <= tr.state.doc.lines
        ? Decoration.set([Decoration.line({ class: 'cm-error-line', attributes: { 'data-error-line': String(n) } }).range(tr.state.doc.line(n).from)])
        : Decoration.none;
    }
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

interface Props {
  value: string;
  onChange: (script: string) => void;
  readOnly: boolean;
  /** 1-based line to mark, or null. */
  errorAt: number | null;
  label: string;
}

export function CodeEditor({ value, onChange, readOnly, errorAt, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const editable = useRef(new Compartment());
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup, javascript(), errorLine,
          editable.current.of([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => { if (u.docChanged) changed.current(u.state.doc.toString()); }),
        ],
      }),
    });
    view.current = v;
    return () => { v.destroy(); view.current = null; };
    // The editor is created once; later value, readOnly and errorAt changes are applied below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: editable.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]) });
  }, [readOnly]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const effects: StateEffect<unknown>[] = [markLine.of(errorAt)];
    if (errorAt !== null && errorAt >= 1 && errorAt <= v.state.doc.lines) effects.push(EditorView.scrollIntoView(v.state.doc.line(errorAt).from, { y: 'center' }));
    v.dispatch({ effects });
  }, [errorAt]);

  return <div className="code-editor" ref={host} />;
}
