-- Groups with roles (classes, review panels), assignments, flags and the moderation log; an
-- annotation gains `group` visibility, `group_id` and `hidden_at`. SQLite cannot change a CHECK in
-- place, so `annotation` is rebuilt (drizzle-kit's statements; migrateDatabase turns foreign keys
-- off around migrations, so dropping the old table cascades nowhere; the legacy rename leaves
-- alone the triggers on other tables that name `annotation`, which modern rename would reject). Dropping a table drops its
-- triggers: the last statements re-create, unchanged, those of migrations 0001 (search) and 0003
-- (tallies) that were on it. Then the indexes.
CREATE TABLE `assignment` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer NOT NULL,
	`article_id` integer NOT NULL,
	`instructions` text DEFAULT '' NOT NULL,
	`due_at` integer,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`post_before_see` integer DEFAULT false NOT NULL,
	`anonymous` integer DEFAULT false NOT NULL,
	`weights` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `group`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`article_id`) REFERENCES `article`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assignment_group_article_idx` ON `assignment` (`group_id`,`article_id`);--> statement-breakpoint
CREATE TABLE `assignment_alias` (
	`assignment_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`number` integer NOT NULL,
	PRIMARY KEY(`assignment_id`, `user_id`),
	FOREIGN KEY (`assignment_id`) REFERENCES `assignment`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assignment_alias_number_idx` ON `assignment_alias` (`assignment_id`,`number`);--> statement-breakpoint
CREATE TABLE `flag` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`annotation_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`annotation_id`) REFERENCES `annotation`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flag_annotation_user_idx` ON `flag` (`annotation_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `flag_open_idx` ON `flag` (`resolved_at`,`annotation_id`);--> statement-breakpoint
CREATE TABLE `group` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text DEFAULT 'class' NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`join_code` text,
	`size_cap` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_join_code_idx` ON `group` (`join_code`);--> statement-breakpoint
CREATE TABLE `group_member` (
	`group_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`group_id`, `user_id`),
	FOREIGN KEY (`group_id`) REFERENCES `group`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `group_member_user_idx` ON `group_member` (`user_id`,`group_id`,`role`);--> statement-breakpoint
CREATE TABLE `moderation_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer,
	`annotation_id` integer,
	`actor_id` text,
	`action` text NOT NULL,
	`subject_user_id` text,
	`reason` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `group`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`annotation_id`) REFERENCES `annotation`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`actor_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`subject_user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `moderation_log_group_idx` ON `moderation_log` (`group_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `__new_annotation` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`block_id` integer NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`body_html` text DEFAULT '' NOT NULL,
	`author_id` text,
	`visibility` text DEFAULT 'public' NOT NULL,
	`group_id` integer,
	`parent_id` integer,
	`root_id` integer,
	`depth` integer DEFAULT 0 NOT NULL,
	`quote_exact` text,
	`quote_prefix` text,
	`quote_suffix` text,
	`position_start` integer,
	`position_end` integer,
	`anchor_status` text DEFAULT 'anchored' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`edited_at` integer,
	`deleted_at` integer,
	`hidden_at` integer,
	`reply_count` integer DEFAULT 0 NOT NULL,
	`endorsement_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `article`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`block_id`) REFERENCES `block`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`group_id`) REFERENCES `group`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`parent_id`) REFERENCES `annotation`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "annotation_kind_check" CHECK("kind" in ('annotation','question','counterargument','source')),
	CONSTRAINT "annotation_visibility_check" CHECK("visibility" in ('public','private','group')),
	CONSTRAINT "annotation_group_check" CHECK(("visibility" = 'group') = ("group_id" is not null))
);
--> statement-breakpoint
INSERT INTO `__new_annotation`("id", "article_id", "block_id", "kind", "body", "body_html", "author_id", "visibility", "group_id", "parent_id", "root_id", "depth", "quote_exact", "quote_prefix", "quote_suffix", "position_start", "position_end", "anchor_status", "created_at", "edited_at", "deleted_at", "hidden_at", "reply_count", "endorsement_count") SELECT "id", "article_id", "block_id", "kind", "body", "body_html", "author_id", "visibility", NULL, "parent_id", "root_id", "depth", "quote_exact", "quote_prefix", "quote_suffix", "position_start", "position_end", "anchor_status", "created_at", "edited_at", "deleted_at", NULL, "reply_count", "endorsement_count" FROM `annotation`;--> statement-breakpoint
DROP TABLE `annotation`;--> statement-breakpoint
PRAGMA legacy_alter_table = ON;--> statement-breakpoint
ALTER TABLE `__new_annotation` RENAME TO `annotation`;--> statement-breakpoint
PRAGMA legacy_alter_table = OFF;--> statement-breakpoint
CREATE INDEX `annotation_article_block_idx` ON `annotation` (`article_id`,`block_id`,`kind`);--> statement-breakpoint
CREATE INDEX `annotation_block_idx` ON `annotation` (`block_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_article_created_idx` ON `annotation` (`article_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_root_idx` ON `annotation` (`root_id`);--> statement-breakpoint
CREATE INDEX `annotation_parent_idx` ON `annotation` (`parent_id`);--> statement-breakpoint
CREATE INDEX `annotation_author_idx` ON `annotation` (`author_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_author_article_idx` ON `annotation` (`author_id`,`article_id`,`visibility`);--> statement-breakpoint
CREATE INDEX `annotation_thread_newest_idx` ON `annotation` (`article_id`,`parent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_thread_endorsed_idx` ON `annotation` (`article_id`,`parent_id`,`endorsement_count`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_thread_replied_idx` ON `annotation` (`article_id`,`parent_id`,`reply_count`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_group_article_idx` ON `annotation` (`group_id`,`article_id`,`block_id`);--> statement-breakpoint
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
CREATE TRIGGER `paragraph_tally_after_insert` AFTER INSERT ON `annotation`
WHEN new.visibility = 'public' AND new.deleted_at IS NULL BEGIN
	INSERT INTO `paragraph_tally` (article_id, block_id, kind, count)
	VALUES (new.article_id, new.block_id, new.kind, 1)
	ON CONFLICT (article_id, block_id, kind) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `paragraph_tally_after_soft_delete` AFTER UPDATE OF deleted_at ON `annotation`
WHEN old.visibility = 'public' AND old.deleted_at IS NULL AND new.deleted_at IS NOT NULL BEGIN
	UPDATE `paragraph_tally` SET count = count - 1
	WHERE article_id = old.article_id AND block_id = old.block_id AND kind = old.kind;
END;
--> statement-breakpoint
CREATE TRIGGER `paragraph_tally_after_delete` AFTER DELETE ON `annotation`
WHEN old.visibility = 'public' AND old.deleted_at IS NULL BEGIN
	UPDATE `paragraph_tally` SET count = count - 1
	WHERE article_id = old.article_id AND block_id = old.block_id AND kind = old.kind;
END;
--> statement-breakpoint
CREATE TRIGGER `paragraph_tally_after_move` AFTER UPDATE OF block_id, kind, visibility ON `annotation`
WHEN old.deleted_at IS NULL AND new.deleted_at IS NULL BEGIN
	UPDATE `paragraph_tally` SET count = count - 1
	WHERE old.visibility = 'public'
		AND article_id = old.article_id AND block_id = old.block_id AND kind = old.kind;
	INSERT INTO `paragraph_tally` (article_id, block_id, kind, count)
	SELECT new.article_id, new.block_id, new.kind, 1 WHERE new.visibility = 'public'
	ON CONFLICT (article_id, block_id, kind) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `passage_tally_after_insert` AFTER INSERT ON `annotation`
WHEN new.visibility = 'public' AND new.parent_id IS NULL AND new.position_start IS NOT NULL
	AND new.anchor_status != 'orphaned' BEGIN
	INSERT INTO `passage_tally` (article_id, block_id, start, end, kind, count)
	VALUES (new.article_id, new.block_id, new.position_start, new.position_end, new.kind, 1)
	ON CONFLICT (article_id, block_id, start, end, kind) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `passage_tally_after_delete` AFTER DELETE ON `annotation`
WHEN old.visibility = 'public' AND old.parent_id IS NULL AND old.position_start IS NOT NULL
	AND old.anchor_status != 'orphaned' BEGIN
	UPDATE `passage_tally` SET count = count - 1
	WHERE article_id = old.article_id AND block_id = old.block_id AND start = old.position_start
		AND end = old.position_end AND kind = old.kind;
	DELETE FROM `passage_tally`
	WHERE article_id = old.article_id AND block_id = old.block_id AND count <= 0;
END;
--> statement-breakpoint
CREATE TRIGGER `passage_tally_after_move` AFTER UPDATE OF block_id, position_start, position_end, anchor_status, kind ON `annotation`
WHEN old.visibility = 'public' AND old.parent_id IS NULL BEGIN
	UPDATE `passage_tally` SET count = count - 1
	WHERE old.position_start IS NOT NULL AND old.anchor_status != 'orphaned'
		AND article_id = old.article_id AND block_id = old.block_id AND start = old.position_start
		AND end = old.position_end AND kind = old.kind;
	DELETE FROM `passage_tally`
	WHERE article_id = old.article_id AND block_id = old.block_id AND count <= 0;
	INSERT INTO `passage_tally` (article_id, block_id, start, end, kind, count)
	SELECT new.article_id, new.block_id, new.position_start, new.position_end, new.kind, 1
	WHERE new.position_start IS NOT NULL AND new.anchor_status != 'orphaned'
	ON CONFLICT (article_id, block_id, start, end, kind) DO UPDATE SET count = count + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `reply_count_after_insert` AFTER INSERT ON `annotation`
WHEN new.parent_id IS NOT NULL AND new.deleted_at IS NULL BEGIN
	UPDATE `annotation` SET reply_count = reply_count + 1 WHERE id = new.root_id;
END;
--> statement-breakpoint
CREATE TRIGGER `reply_count_after_soft_delete` AFTER UPDATE OF deleted_at ON `annotation`
WHEN new.parent_id IS NOT NULL AND old.deleted_at IS NULL AND new.deleted_at IS NOT NULL BEGIN
	UPDATE `annotation` SET reply_count = reply_count - 1 WHERE id = old.root_id;
END;
--> statement-breakpoint
CREATE TRIGGER `reply_count_after_delete` AFTER DELETE ON `annotation`
WHEN old.parent_id IS NOT NULL AND old.deleted_at IS NULL BEGIN
	UPDATE `annotation` SET reply_count = reply_count - 1 WHERE id = old.root_id;
END;
