-- view versions: what a signed-in reader's reading page shows beyond the public page_version (ADR
-- 015). group_version is bumped by every write to a group's non-public annotations, its members and
-- roles, its assignments and aliases, and its own row; private_version by every write to a reader's
-- private notes (an update only when a column the page may show really changed: a no-op update, a
-- tally column, or resolving leaves it). The page cache keys a signed-in reader's stored page by their session, the
-- article's page_version and these counters (for each group they belong to, and each panel
-- reviewing an article they wrote), so a write through any process makes the affected pages stale.
-- Rows are only incremented, never deleted (a group's deletion bumps it too), so a reused id never
-- meets a version a stored page was rendered at. Hand-written below the generated tables; each
-- CREATE TRIGGER is one statement between breakpoints.
CREATE TABLE `group_version` (
	`group_id` integer PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `private_version` (
	`user_id` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `article_author_idx` ON `article` (`author_id`);--> statement-breakpoint
CREATE TRIGGER `view_version_after_annotation_insert` AFTER INSERT ON `annotation`
WHEN new.visibility <> 'public' BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT new.group_id, 1 WHERE new.group_id IS NOT NULL
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
	INSERT INTO `private_version` (user_id, version) SELECT new.author_id, 1 WHERE new.visibility = 'private' AND new.author_id IS NOT NULL
	ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_annotation_update`
AFTER UPDATE OF article_id, block_id, kind, body, author_id, visibility, group_id, parent_id, root_id, quote_exact, position_start, position_end, anchor_status, origin_quote, deleted_at, hidden_at ON `annotation`
WHEN (old.visibility <> 'public' OR new.visibility <> 'public') AND (old.article_id IS NOT new.article_id OR old.block_id IS NOT new.block_id OR old.kind IS NOT new.kind OR old.body IS NOT new.body OR old.author_id IS NOT new.author_id OR old.visibility IS NOT new.visibility OR old.group_id IS NOT new.group_id OR old.parent_id IS NOT new.parent_id OR old.root_id IS NOT new.root_id OR old.quote_exact IS NOT new.quote_exact OR old.position_start IS NOT new.position_start OR old.position_end IS NOT new.position_end OR old.anchor_status IS NOT new.anchor_status OR old.origin_quote IS NOT new.origin_quote OR old.deleted_at IS NOT new.deleted_at OR old.hidden_at IS NOT new.hidden_at) BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.group_id, 1 WHERE old.group_id IS NOT NULL
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
	INSERT INTO `group_version` (group_id, version) SELECT new.group_id, 1 WHERE new.group_id IS NOT NULL AND new.group_id IS NOT old.group_id
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
	INSERT INTO `private_version` (user_id, version) SELECT old.author_id, 1 WHERE old.visibility = 'private' AND old.author_id IS NOT NULL
	ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
	INSERT INTO `private_version` (user_id, version) SELECT new.author_id, 1 WHERE new.visibility = 'private' AND new.author_id IS NOT NULL AND (old.visibility <> 'private' OR new.author_id IS NOT old.author_id)
	ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_annotation_delete` AFTER DELETE ON `annotation`
WHEN old.visibility <> 'public' BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.group_id, 1 WHERE old.group_id IS NOT NULL
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
	INSERT INTO `private_version` (user_id, version) SELECT old.author_id, 1 WHERE old.visibility = 'private' AND old.author_id IS NOT NULL
	ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_group_member_insert` AFTER INSERT ON `group_member` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT new.group_id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_group_member_update` AFTER UPDATE ON `group_member` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.group_id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
	INSERT INTO `group_version` (group_id, version) SELECT new.group_id, 1 WHERE new.group_id IS NOT old.group_id
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_group_member_delete` AFTER DELETE ON `group_member` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.group_id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_assignment_insert` AFTER INSERT ON `assignment` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT new.group_id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_assignment_update` AFTER UPDATE ON `assignment` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.group_id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
	INSERT INTO `group_version` (group_id, version) SELECT new.group_id, 1 WHERE new.group_id IS NOT old.group_id
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_assignment_delete` AFTER DELETE ON `assignment` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.group_id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_assignment_alias_insert` AFTER INSERT ON `assignment_alias` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT (SELECT s.group_id FROM `assignment` s WHERE s.id = new.assignment_id), 1 WHERE EXISTS (SELECT 1 FROM `assignment` s WHERE s.id = new.assignment_id)
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_assignment_alias_update` AFTER UPDATE ON `assignment_alias` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT (SELECT s.group_id FROM `assignment` s WHERE s.id = new.assignment_id), 1 WHERE EXISTS (SELECT 1 FROM `assignment` s WHERE s.id = new.assignment_id)
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_assignment_alias_delete` AFTER DELETE ON `assignment_alias` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT (SELECT s.group_id FROM `assignment` s WHERE s.id = old.assignment_id), 1 WHERE EXISTS (SELECT 1 FROM `assignment` s WHERE s.id = old.assignment_id)
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_group_update` AFTER UPDATE ON `group` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `view_version_after_group_delete` AFTER DELETE ON `group` BEGIN
	INSERT INTO `group_version` (group_id, version) SELECT old.id, 1 WHERE 1
	ON CONFLICT (group_id) DO UPDATE SET version = version + 1;
END;
