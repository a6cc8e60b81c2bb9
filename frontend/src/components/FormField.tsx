import { type ComponentProps, type ReactNode, useId } from 'react';

/** What a field hands its control: the id its label points at, and the ids of its hint and error. */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

interface FieldProps {
  /** The control's accessible name: the browser tests find controls by it. */
  label: ReactNode;
  /** A standing note under the control, read with it. */
  hint?: ReactNode;
  /** What is wrong with the value, read with the control; marks it invalid. */
  error?: ReactNode;
  /** Added to `field`: `field-wide` spans two grid columns, `field-inline` puts the label beside the control. */
  className?: string;
}

interface FormFieldProps extends FieldProps {
  children: (control: ControlProps) => ReactNode;
}

/**
 * A label, its control, and an optional hint and error tied to the control
 * with `aria-describedby`. The control is rendered by `children`, for the
 * cases `InputField` and `SelectField` do not cover (e.g. a datalist).
 */
export function FormField({ label, hint, error, className, children }: FormFieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter((part) => part !== undefined).join(' ');
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

type InputFieldProps = FieldProps & Omit<ComponentProps<'input'>, 'id' | 'className' | 'children'>;

/** A labelled `<input>`; every other prop goes to the input. */
export function InputField({ label, hint, error, className, ...input }: InputFieldProps) {
  return (
    <FormField label={label} hint={hint} error={error} className={className}>
      {(control) => <input {...input} {...control} />}
    </FormField>
  );
}

type SelectFieldProps = FieldProps & Omit<ComponentProps<'select'>, 'id' | 'className'>;

/** A labelled `<select>`; `children` are its options, every other prop goes to the select. */
export function SelectField({ label, hint, error, className, children, ...select }: SelectFieldProps) {
  return (
    <FormField label={label} hint={hint} error={error} className={className}>
      {(control) => (
        <select {...select} {...control}>
          {children}
        </select>
      )}
    </FormField>
  );
}
