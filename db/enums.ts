/**
 * The fixed vocabularies of the data model. Plain constants with no database code, so the browser
 * bundle can use them (forms, filters) without pulling in the schema.
 */
export const annotationKinds = ["annotation", "question", "counterargument", "source"] as const;
export const visibilities = ["public", "private"] as const;
export const stances = ["supports", "refutes", "context"] as const;

export type AnnotationKind = (typeof annotationKinds)[number];

/** How the discussion page can order threads. */
export const threadSorts = ["reading", "newest", "endorsed", "replied"] as const;
export type ThreadSort = (typeof threadSorts)[number];
export type Stance = (typeof stances)[number];
export type Visibility = (typeof visibilities)[number];
