/**
 * A write-only secret: the API sends a set secret back as "***", shown here as an empty password
 * field saying "set — type to replace"; left empty, "***" is sent back, which keeps the value.
 * The input is uncontrolled: React would copy a controlled value into the DOM's value attribute.
 */
import { useState } from 'react';
import type { WidgetProps } from '@rjsf/utils';

export const REDACTED = '***';

export function SecretWidget(props: WidgetProps) {
  const [wasSet] = useState(props.value === REDACTED);
  return (
    <input
      id={props.id}
      name={props.id}
      className="form-control"
      type="password"
      autoComplete="new-password"
      placeholder={wasSet ? 'set — type to replace' : 'not set'}
      disabled={props.disabled || props.readonly}
      required={props.required && !wasSet}
      aria-describedby={`${props.id}__description`}
      onChange={(e) => props.onChange(e.target.value === '' ? (wasSet ? REDACTED : undefined) : e.target.value)}
      onBlur={() => props.onBlur(props.id, wasSet ? REDACTED : undefined)}
      onFocus={() => props.onFocus(props.id, wasSet ? REDACTED : undefined)}
    />
  );
}
