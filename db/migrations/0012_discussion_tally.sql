CREATE TABLE `thread_tally` (
	`article_id` integer NOT NULL,
	`block_id` integer NOT NULL,
	`open` integer DEFAULT 0 NOT NULL,
	`resolved` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`article_id`, `block_id`),
	FOREIGN KEY (`block_id`) REFERENCES `block`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `block_article_position_idx` ON `block` (`article_id`,`position`);--> statement-breakpoint
-- Hand-written below the generated table and index: thread_tally's triggers and its first fill.
-- Each CREATE TRIGGER is one statement between breakpoints. A public thread is a root (parent_id
-- null) whose visibility is 'public'; deleted roots still count (a placeholder that holds replies is
-- listed), as the discussion page's direct count did. A row that is not a public root, before and
-- after an update, never touches the tally.
CREATE TRIGGER `thread_tally_after_insert` AFTER INSERT ON `annotation`
WHEN new.visibility = 'public' AND new.parent_id IS NULL BEGIN
	INSERT INTO `thread_tally` (article_id, block_id, open, resolved)
	VALUES (new.article_id, new.block_id, new.resolved_at IS NULL, new.resolved_at IS NOT NULL)
	ON CONFLICT (article_id, block_id) DO UPDATE
	SET open = open + excluded.open, resolved = resolved + excluded.resolved;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_tally_after_update`
AFTER UPDATE OF article_id, block_id, visibility, parent_id, resolved_at ON `annotation`
WHEN (old.visibility = 'public' AND old.parent_id IS NULL)
	OR (new.visibility = 'public' AND new.parent_id IS NULL) BEGIN
	UPDATE `thread_tally`
	SET open = open - (old.resolved_at IS NULL), resolved = resolved - (old.resolved_at IS NOT NULL)
	WHERE old.visibility = 'public' AND old.parent_id IS NULL
		AND article_id = old.article_id AND block_id = old.block_id;
	INSERT INTO `thread_tally` (article_id, block_id, open, resolved)
	SELECT new.article_id, new.block_id, new.resolved_at IS NULL, new.resolved_at IS NOT NULL
	WHERE new.visibility = 'public' AND new.parent_id IS NULL
	ON CONFLICT (article_id, block_id) DO UPDATE
	SET open = open + excluded.open, resolved = resolved + excluded.resolved;
END;
--> statement-breakpoint
CREATE TRIGGER `thread_tally_after_delete` AFTER DELETE ON `annotation`
WHEN old.visibility = 'public' AND old.parent_id IS NULL BEGIN
	UPDATE `thread_tally`
	SET open = open - (old.resolved_at IS NULL), resolved = resolved - (old.resolved_at IS NOT NULL)
	WHERE article_id = old.article_id AND block_id = old.block_id;
END;
--> statement-breakpoint
INSERT INTO `thread_tally` (article_id, block_id, open, resolved)
SELECT article_id, block_id, sum(resolved_at IS NULL), sum(resolved_at IS NOT NULL)
FROM `annotation` WHERE visibility = 'public' AND parent_id IS NULL
GROUP BY article_id, block_id;
