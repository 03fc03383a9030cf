-- Full-text search over annotations (SQLite FTS5): one row per annotation, rowid = annotation.id,
-- holding its body, its quoted passage and (for a source) the source's title. Triggers keep it in
-- step with annotation and source_link in the same transaction as every write; a deleted annotation
-- (a "[deleted]" placeholder) keeps an empty row. Hand-written (drizzle-kit generate --custom):
-- drizzle's schema cannot describe virtual tables. Each CREATE TRIGGER is one statement between
-- breakpoints because its BEGIN…END body contains semicolons.
CREATE VIRTUAL TABLE `annotation_search` USING fts5(
	body,
	quote,
	source_title,
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `annotation_search_after_insert` AFTER INSERT ON `annotation` BEGIN
	INSERT INTO `annotation_search` (rowid, body, quote, source_title)
	VALUES (
		new.id,
		CASE WHEN new.deleted_at IS NULL THEN new.body ELSE '' END,
		CASE WHEN new.deleted_at IS NULL THEN coalesce(new.quote_exact, '') ELSE '' END,
		CASE WHEN new.deleted_at IS NULL
			THEN coalesce((SELECT title FROM `source_link` WHERE annotation_id = new.id), '')
			ELSE '' END
	);
END;
--> statement-breakpoint
CREATE TRIGGER `annotation_search_after_update` AFTER UPDATE OF id, body, quote_exact, deleted_at ON `annotation` BEGIN
	DELETE FROM `annotation_search` WHERE rowid = old.id;
	INSERT INTO `annotation_search` (rowid, body, quote, source_title)
	VALUES (
		new.id,
		CASE WHEN new.deleted_at IS NULL THEN new.body ELSE '' END,
		CASE WHEN new.deleted_at IS NULL THEN coalesce(new.quote_exact, '') ELSE '' END,
		CASE WHEN new.deleted_at IS NULL
			THEN coalesce((SELECT title FROM `source_link` WHERE annotation_id = new.id), '')
			ELSE '' END
	);
END;
--> statement-breakpoint
CREATE TRIGGER `annotation_search_after_delete` AFTER DELETE ON `annotation` BEGIN
	DELETE FROM `annotation_search` WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `annotation_search_source_after_insert` AFTER INSERT ON `source_link` BEGIN
	UPDATE `annotation_search` SET source_title = new.title
	WHERE rowid = new.annotation_id
		AND EXISTS (SELECT 1 FROM `annotation` WHERE id = new.annotation_id AND deleted_at IS NULL);
END;
--> statement-breakpoint
CREATE TRIGGER `annotation_search_source_after_update` AFTER UPDATE OF annotation_id, title ON `source_link` BEGIN
	UPDATE `annotation_search` SET source_title = '' WHERE rowid = old.annotation_id;
	UPDATE `annotation_search` SET source_title = new.title
	WHERE rowid = new.annotation_id
		AND EXISTS (SELECT 1 FROM `annotation` WHERE id = new.annotation_id AND deleted_at IS NULL);
END;
--> statement-breakpoint
CREATE TRIGGER `annotation_search_source_after_delete` AFTER DELETE ON `source_link` BEGIN
	UPDATE `annotation_search` SET source_title = '' WHERE rowid = old.annotation_id;
END;
--> statement-breakpoint
INSERT INTO `annotation_search` (rowid, body, quote, source_title)
SELECT
	a.id,
	CASE WHEN a.deleted_at IS NULL THEN a.body ELSE '' END,
	CASE WHEN a.deleted_at IS NULL THEN coalesce(a.quote_exact, '') ELSE '' END,
	CASE WHEN a.deleted_at IS NULL THEN coalesce(s.title, '') ELSE '' END
FROM `annotation` AS a
LEFT JOIN `source_link` AS s ON s.annotation_id = a.id;
