/**
 * An assignment's own fields (instructions, due date in a stated time zone, the two options), for
 * the form that assigns an article and the one that edits an assignment. A review panel's form
 * names the options in its own words (GROUP_WORDS): reviewers, "Blind until posted".
 */
import { GROUP_WORDS } from "#app/rules";
import type { FieldErrors } from "#app/utils/errors";

const COMMON_ZONES = [
  "UTC",
  "Europe/London",
  "Europe/Berlin",
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Sydney",
];

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="field-error">
      {message}
    </p>
  ) : null;
}

export function AssignmentFields({
  prefix,
  kind = "class",
  errors = {},
  values = {},
}: {
  prefix: string;
  kind?: keyof typeof GROUP_WORDS;
  errors?: FieldErrors;
  values?: Partial<Record<string, string>>;
}) {
  const words = GROUP_WORDS[kind];
  const id = (name: string) => `${prefix}-${name}`;
  const invalid = (name: string) =>
    errors[name] ? { "aria-invalid": true as const, "aria-describedby": `${id(name)}-error` } : {};
  return (
    <>
      <div className={errors.instructions ? "field field-invalid" : "field"}>
        <label htmlFor={id("instructions")}>Instructions</label>
        <textarea
          id={id("instructions")}
          name="instructions"
          rows={4}
          defaultValue={values.instructions}
          {...invalid("instructions")}
        />
        <FieldError id={`${id("instructions")}-error`} message={errors.instructions} />
      </div>
      <fieldset className="due-fields">
        <legend>Due (optional)</legend>
        <div className={errors.dueDate ? "field field-invalid" : "field"}>
          <label htmlFor={id("dueDate")}>Date</label>
          <input
            type="date"
            id={id("dueDate")}
            name="dueDate"
            defaultValue={values.dueDate}
            {...invalid("dueDate")}
          />
          <FieldError id={`${id("dueDate")}-error`} message={errors.dueDate} />
        </div>
        <div className={errors.dueTime ? "field field-invalid" : "field"}>
          <label htmlFor={id("dueTime")}>Time (24-hour; 23:59 if empty)</label>
          <input
            type="time"
            id={id("dueTime")}
            name="dueTime"
            defaultValue={values.dueTime}
            {...invalid("dueTime")}
          />
          <FieldError id={`${id("dueTime")}-error`} message={errors.dueTime} />
        </div>
        <div className={errors.timeZone ? "field field-invalid" : "field"}>
          <label htmlFor={id("timeZone")}>Time zone</label>
          <input
            id={id("timeZone")}
            name="timeZone"
            list={`${id("timeZone")}-options`}
            defaultValue={values.timeZone ?? "UTC"}
            autoComplete="off"
            {...invalid("timeZone")}
          />
          <datalist id={`${id("timeZone")}-options`}>
            {COMMON_ZONES.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <FieldError id={`${id("timeZone")}-error`} message={errors.timeZone} />
        </div>
      </fieldset>
      <div className="field checkbox-field">
        <input
          type="checkbox"
          id={id("postBeforeSee")}
          name="postBeforeSee"
          defaultChecked={values.postBeforeSee === "on"}
        />
        <label htmlFor={id("postBeforeSee")}>
          {kind === "class"
            ? "Post before you see: members see classmates' annotations only after posting one of their own"
            : `${words.postBeforeSee}: ${words.postBeforeSeeHelp}`}
        </label>
      </div>
      <div className="field checkbox-field">
        <input
          type="checkbox"
          id={id("anonymous")}
          name="anonymous"
          defaultChecked={values.anonymous === "on"}
        />
        <label htmlFor={id("anonymous")}>
          {kind === "class"
            ? `Anonymous to peers: classmates appear to each other as "Student 1", "Student 2"… (owners and moderators see names)`
            : `Anonymous to peers: ${words.members} appear to each other as "${words.alias} 1", "${words.alias} 2"… (the ${words.owner} and moderators see names)`}
        </label>
      </div>
    </>
  );
}
