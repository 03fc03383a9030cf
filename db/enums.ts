/**
 * The fixed vocabularies of the data model. Plain constants with no database code, so the browser
 * bundle can use them (forms, filters) without pulling in the schema.
 */
export const annotationKinds = ["annotation", "question", "counterargument", "source"] as const;
/** `group`: only the members of the annotation's group (a class or a review panel) see it. */
export const visibilities = ["public", "private", "group"] as const;
/** Groups with roles: a class is one, a review panel another. */
export const groupKinds = ["class", "panel"] as const;
/** A member's standing in a group: owners run it, moderators keep it civil, members take part. */
export const groupRoles = ["owner", "moderator", "member"] as const;
export const stances = ["supports", "refutes", "context"] as const;
/** What a personal API token may do: read what its owner may read, or also write as them. */
export const tokenScopes = ["read", "read-write"] as const;

export type AnnotationKind = (typeof annotationKinds)[number];

/** How the discussion page can order threads. */
export const threadSorts = ["reading", "newest", "endorsed", "replied"] as const;
export type ThreadSort = (typeof threadSorts)[number];
export type Stance = (typeof stances)[number];
export type Visibility = (typeof visibilities)[number];
export type GroupKind = (typeof groupKinds)[number];
export type GroupRole = (typeof groupRoles)[number];
export type TokenScope = (typeof tokenScopes)[number];
