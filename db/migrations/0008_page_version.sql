-- page_version: one counter per article, bumped in the same transaction as every write that changes
-- what an anonymous reader's page of that article shows (its metadata, its blocks, the public
-- annotations behind its counts and highlights). The render-once page cache compares it with the
-- version a stored page was rendered at, so a write through any process invalidates the page for
-- every process sharing the file. Hand-written below the generated table (and the paragraph-threads index, generated): each CREATE TRIGGER is
-- one statement between breakpoints.
--
-- Only public annotations bump: a row whose visibility is anything else (private, and any value
-- added later) never does, before or after an update; a change to or from 'public' does.
-- Endorsements do not: the reading page does not show them. An annotation's body edit does not
-- either: the page shows counts and quoted passages, never bodies.
CREATE TABLE `page_version` (
	`article_id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `annotation_block_thread_idx` ON `annotation` (`block_id`,`parent_id`,`created_at`,`visibility`,`author_id`);--> statement-breakpoint--> statement-breakpoint
CREATE TRIGGER `page_version_after_annotation_insert` AFTER INSERT ON `annotation`
WHEN new.visibility = 'public' BEGIN
	INSERT INTO `page_version` (article_id, version) VALUES (new.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `page_version_after_annotation_update`
AFTER UPDATE OF article_id, block_id, kind, visibility, deleted_at, parent_id, position_start, position_end, anchor_status ON `annotation`
WHEN old.visibility = 'public' OR new.visibility = 'public' BEGIN
	INSERT INTO `page_version` (article_id, version) VALUES (old.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
	INSERT INTO `page_version` (article_id, version)
	SELECT new.article_id, 1 WHERE new.article_id != old.article_id
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `page_version_after_annotation_delete` AFTER DELETE ON `annotation`
WHEN old.visibility = 'public' BEGIN
	INSERT INTO `page_version` (article_id, version) VALUES (old.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `page_version_after_article_update` AFTER UPDATE ON `article` BEGIN
	INSERT INTO `page_version` (article_id, version) VALUES (new.id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `page_version_after_block_insert` AFTER INSERT ON `block` BEGIN
	INSERT INTO `page_version` (article_id, version) VALUES (new.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `page_version_after_block_update` AFTER UPDATE ON `block` BEGIN
	INSERT INTO `page_version` (article_id, version) VALUES (old.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
	INSERT INTO `page_version` (article_id, version)
	SELECT new.article_id, 1 WHERE new.article_id != old.article_id
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `page_version_after_block_delete` AFTER DELETE ON `block` BEGIN
	INSERT INTO `page_version` (article_id, version) VALUES (old.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
