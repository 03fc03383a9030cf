CREATE TABLE `annotation` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`block_id` integer NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`author_id` text,
	`visibility` text DEFAULT 'public' NOT NULL,
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
	FOREIGN KEY (`article_id`) REFERENCES `article`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`block_id`) REFERENCES `block`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`parent_id`) REFERENCES `annotation`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "annotation_kind_check" CHECK("annotation"."kind" in ('annotation','question','counterargument','source')),
	CONSTRAINT "annotation_visibility_check" CHECK("annotation"."visibility" in ('public','private'))
);
--> statement-breakpoint
CREATE INDEX `annotation_article_block_idx` ON `annotation` (`article_id`,`block_id`,`kind`);--> statement-breakpoint
CREATE INDEX `annotation_block_idx` ON `annotation` (`block_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_article_created_idx` ON `annotation` (`article_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `annotation_root_idx` ON `annotation` (`root_id`);--> statement-breakpoint
CREATE INDEX `annotation_parent_idx` ON `annotation` (`parent_id`);--> statement-breakpoint
CREATE INDEX `annotation_author_idx` ON `annotation` (`author_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `article` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`dek` text,
	`byline` text,
	`publication` text,
	`published_on` text,
	`editors_note` text,
	`source_hash` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_slug_unique` ON `article` (`slug`);--> statement-breakpoint
CREATE TABLE `block` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`number` integer,
	`anchor` text NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `article`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `block_article_position_idx` ON `block` (`article_id`,`position`);--> statement-breakpoint
CREATE UNIQUE INDEX `block_article_anchor_idx` ON `block` (`article_id`,`anchor`);--> statement-breakpoint
CREATE TABLE `endorsement` (
	`user_id` text NOT NULL,
	`annotation_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`user_id`, `annotation_id`),
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`annotation_id`) REFERENCES `annotation`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `endorsement_annotation_idx` ON `endorsement` (`annotation_id`);--> statement-breakpoint
CREATE TABLE `login_attempt` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`username_key` text,
	`client_address` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempt_username_idx` ON `login_attempt` (`kind`,`username_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `login_attempt_address_idx` ON `login_attempt` (`kind`,`client_address`,`created_at`);--> statement-breakpoint
CREATE TABLE `session` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `session_user_idx` ON `session` (`user_id`);--> statement-breakpoint
CREATE TABLE `source_link` (
	`annotation_id` integer PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`title` text NOT NULL,
	`stance` text NOT NULL,
	FOREIGN KEY (`annotation_id`) REFERENCES `annotation`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `user` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'user' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_username_lower_idx` ON `user` (lower("username"));