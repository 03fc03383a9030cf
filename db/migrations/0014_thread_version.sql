-- thread_version and site_version: what the pages showing annotations' bodies depend on beyond a
-- reader's stamp (ADR 018). thread_version, per article, moves on every write to any of its
-- annotations (any column, any visibility: a body, an endorsement count, resolving, hiding), to
-- their source links, with its page_version (its text and metadata), and when one of its writers
-- changes name; an update that changes no column moves nothing. site_version (one row, id 1)
-- moves with every thread_version, and when anyone changes name, for the pages that read across
-- articles (search, an assignment's participation).
-- A reader's group and private notes are in their stamp too, but bumping here on any visibility
-- keeps this one rule simple: a page showing threads of an article is stale once anything in them
-- changed. Hand-written below the generated tables; each CREATE TRIGGER is one statement between
-- breakpoints.
CREATE TABLE `site_version` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `thread_version` (
	`article_id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_annotation_insert` AFTER INSERT ON `annotation` BEGIN
	INSERT INTO `thread_version` (article_id, version) VALUES (new.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_annotation_update` AFTER UPDATE ON `annotation`
WHEN (old.id, old.article_id, old.block_id, old.kind, old.body, old.body_html, old.author_id, old.visibility, old.group_id, old.parent_id, old.root_id, old.depth, old.quote_exact, old.quote_prefix, old.quote_suffix, old.position_start, old.position_end, old.anchor_status, old.created_at, old.edited_at, old.deleted_at, old.hidden_at, old.reply_count, old.endorsement_count, old.origin_block_id, old.origin_quote, old.resolved_at, old.resolved_by)
  IS NOT (new.id, new.article_id, new.block_id, new.kind, new.body, new.body_html, new.author_id, new.visibility, new.group_id, new.parent_id, new.root_id, new.depth, new.quote_exact, new.quote_prefix, new.quote_suffix, new.position_start, new.position_end, new.anchor_status, new.created_at, new.edited_at, new.deleted_at, new.hidden_at, new.reply_count, new.endorsement_count, new.origin_block_id, new.origin_quote, new.resolved_at, new.resolved_by) BEGIN
	INSERT INTO `thread_version` (article_id, version) VALUES (old.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
	INSERT INTO `thread_version` (article_id, version) SELECT new.article_id, 1 WHERE new.article_id != old.article_id
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_annotation_delete` AFTER DELETE ON `annotation` BEGIN
	INSERT INTO `thread_version` (article_id, version) VALUES (old.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_source_link_insert` AFTER INSERT ON `source_link` BEGIN
	INSERT INTO `thread_version` (article_id, version) SELECT a.article_id, 1 FROM `annotation` AS a WHERE a.id = new.annotation_id
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_source_link_update` AFTER UPDATE ON `source_link`
WHEN (old.annotation_id, old.url, old.title, old.stance) IS NOT (new.annotation_id, new.url, new.title, new.stance) BEGIN
	INSERT INTO `thread_version` (article_id, version) SELECT a.article_id, 1 FROM `annotation` AS a WHERE a.id IN (old.annotation_id, new.annotation_id)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_source_link_delete` AFTER DELETE ON `source_link` BEGIN
	INSERT INTO `thread_version` (article_id, version) SELECT a.article_id, 1 FROM `annotation` AS a WHERE a.id = old.annotation_id
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_page_version_insert` AFTER INSERT ON `page_version` BEGIN
	INSERT INTO `thread_version` (article_id, version) VALUES (new.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_page_version_update` AFTER UPDATE ON `page_version` BEGIN
	INSERT INTO `thread_version` (article_id, version) VALUES (new.article_id, 1)
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_version_after_user_rename`
AFTER UPDATE OF username, display_name ON `user`
WHEN old.username IS NOT new.username OR old.display_name IS NOT new.display_name BEGIN
	INSERT INTO `thread_version` (article_id, version) SELECT DISTINCT a.article_id, 1 FROM `annotation` AS a WHERE a.author_id = new.id
	ON CONFLICT (article_id) DO UPDATE SET version = version + 1;
	INSERT INTO `site_version` (id, version) VALUES (1, 1)
	ON CONFLICT (id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `site_version_after_thread_version_insert` AFTER INSERT ON `thread_version` BEGIN
	INSERT INTO `site_version` (id, version) VALUES (1, 1)
	ON CONFLICT (id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `site_version_after_thread_version_update` AFTER UPDATE ON `thread_version` BEGIN
	INSERT INTO `site_version` (id, version) VALUES (1, 1)
	ON CONFLICT (id) DO UPDATE SET version = version + 1;
END;
