-- Counters the reading and discussion pages read instead of counting annotations on every request:
-- paragraph_tally (public, live annotations per paragraph and kind), passage_tally (public thread
-- roots per quoted passage), annotation.reply_count (a root's live replies) and
-- annotation.endorsement_count. Triggers keep them in step in the same transaction as each write;
-- the last statements fill them for rows that already exist. Hand-written (drizzle-kit --custom):
-- each CREATE TRIGGER is one statement between breakpoints.
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
--> statement-breakpoint
CREATE TRIGGER `endorsement_count_after_insert` AFTER INSERT ON `endorsement` BEGIN
	UPDATE `annotation` SET endorsement_count = endorsement_count + 1 WHERE id = new.annotation_id;
END;
--> statement-breakpoint
CREATE TRIGGER `endorsement_count_after_delete` AFTER DELETE ON `endorsement` BEGIN
	UPDATE `annotation` SET endorsement_count = endorsement_count - 1 WHERE id = old.annotation_id;
END;
--> statement-breakpoint
INSERT INTO `paragraph_tally` (article_id, block_id, kind, count)
SELECT article_id, block_id, kind, count(*) FROM `annotation`
WHERE visibility = 'public' AND deleted_at IS NULL
GROUP BY article_id, block_id, kind;
--> statement-breakpoint
INSERT INTO `passage_tally` (article_id, block_id, start, end, kind, count)
SELECT article_id, block_id, position_start, position_end, kind, count(*) FROM `annotation`
WHERE visibility = 'public' AND parent_id IS NULL AND position_start IS NOT NULL
	AND anchor_status != 'orphaned'
GROUP BY article_id, block_id, position_start, position_end, kind;
--> statement-breakpoint
UPDATE `annotation` SET
	reply_count = (SELECT count(*) FROM `annotation` AS r
		WHERE r.root_id = `annotation`.id AND r.id != `annotation`.id AND r.deleted_at IS NULL),
	endorsement_count = (SELECT count(*) FROM `endorsement` AS e WHERE e.annotation_id = `annotation`.id);
