/**
 * The fields of a new account, shared by the sign-up page and a class's join link (where a
 * newcomer signs up and joins in one step).
 */
import { TextField } from "#app/components/form-field";
import { DISPLAY_NAME_MAX, PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN } from "#app/rules";

export function SignUpFields({
  errors,
  values,
}: {
  errors: Partial<Record<"username" | "displayName" | "password", string>>;
  values?: { username?: string; displayName?: string };
}) {
  return (
    <>
      <TextField
        name="username"
        label="Username"
        hint={`${USERNAME_MIN}–${USERNAME_MAX} letters, digits, _ or -. Shown in your profile's address.`}
        error={errors.username}
        defaultValue={values?.username}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        minLength={USERNAME_MIN}
        maxLength={USERNAME_MAX}
        required
      />
      <TextField
        name="displayName"
        label="Display name"
        hint="The name other readers see next to your annotations."
        error={errors.displayName}
        defaultValue={values?.displayName}
        autoComplete="name"
        maxLength={DISPLAY_NAME_MAX}
        required
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        hint={`At least ${PASSWORD_MIN} characters. A few unrelated words make a good one.`}
        error={errors.password}
        autoComplete="new-password"
        minLength={PASSWORD_MIN}
        required
      />
    </>
  );
}
