import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useLocation, useNavigate } from 'react-router';
import { mapProblem } from '../api/problem';
import { Field, FormMessage } from '../components/ui';
import { useSession } from '../session';

export function SignIn() {
  const { signIn } = useSession();
  const navigate = useNavigate();
  const from = (useLocation().state as { from?: string } | null)?.from ?? '/';
  const [message, setMessage] = useState<string | null>(null);
  const form = useForm<{ email: string; password: string }>();
  const { errors, isSubmitting } = form.formState;

  const submit = form.handleSubmit(async ({ email, password }) => {
    setMessage(null);
    try {
      await signIn(email, password);
      navigate(from === '/sign-in' ? '/' : from, { replace: true });
    } catch (e) {
      setMessage(mapProblem(e, (n, err) => form.setError(n as 'email' | 'password', err), ['email', 'password']));
    }
  });

  return (
    <main className="sign-in" id="main">
      <h1>Shop admin</h1>
      <form onSubmit={submit} noValidate>
        <FormMessage text={message} />
        <Field label="Email" error={errors.email}>
          {(p) => <input {...p} type="email" autoComplete="username" {...form.register('email', { required: 'Enter your email' })} />}
        </Field>
        <Field label="Password" error={errors.password}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="current-password"
              {...form.register('password', { required: 'Enter your password' })}
            />
          )}
        </Field>
        <button type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
