CREATE TABLE `paragraph_tally` (
	`article_id` integer NOT NULL,
	`block_id` integer NOT NULL,
	`kind` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`article_id`, `block_id`, `kind`),
	FOREIGN KEY (`block_id`) REFERENCES `block`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `passage_tally` (
	`article_id` integer NOT NULL,
	`block_id` integer NOT NULL,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`kind` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`article_id`, `block_id`, `start`, `end`, `kind`),
	FOREIGN KEY (`block_id`) REFERENCES `block`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `annotation` ADD `reply_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `annotation` ADD `endorsement_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `annotation_author_article_idx` ON `annotation` (`author_id`,`article_id`,`visibility`);--> statement-breakpoint
CREATE INDEX `annotation_thread_newest_idx` ON `annotation` (`article_id`,`parent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_thread_endorsed_idx` ON `annotation` (`article_id`,`parent_id`,`endorsement_count`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_thread_replied_idx` ON `annotation` (`article_id`,`parent_id`,`reply_count`,`created_at`);