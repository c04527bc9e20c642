/// Journal-level domain commands (the ones that need no file access).
public enum JournalCommands {
    /// Longest accepted annotation, in UTF-8 bytes.
    public static let maxAnnotationBytes = 64 * 1024

    public static let all: [DomainCommand] = [annotate, annotations]

    /// `journal.annotate {"text":…}`: an administrator's note into the journal.
    public static let annotate = DomainCommand(
        "journal.annotate", roles: [.admin], writes: true,
        summary: "append an administrator's note (event journal.annotated)"
    ) { (args, _, _) throws(CommandError) in
        try args.allowOnly(["text"])
        let text = try args.nonEmptyString("text", "a non-empty string (the note)")
        guard text.utf8.count <= maxAnnotationBytes else {
            throw .badRequest("journal.annotate: argument \"text\" is \(text.utf8.count) bytes; the limit is \(maxAnnotationBytes)")
        }
        return CommandOutcome(events: [NewEvent(EventType.journalAnnotated, ["text": .string(text)])], result: [:])
    }

    /// `journal.annotations {"limit":N}`: the most recent notes, newest last.
    public static let annotations = DomainCommand(
        "journal.annotations", roles: [.viewer, .auditor], writes: false,
        summary: "list the most recent administrator notes"
    ) { (args, context, state) throws(CommandError) in
        try args.allowOnly(["limit"])
        let limit = try args.optionalInt("limit", "a positive integer") ?? 20
        guard limit > 0 else { throw .badRequest("journal.annotations: argument \"limit\" must be a positive integer") }
        let notes = state.recentAnnotations.suffix(min(limit, InspectionState.recentAnnotationLimit))
        return .query(["annotations": .array(notes.map { note in
            ["seq": .int(note.seq), "at": .string(context.zone.format(note.at)), "actor": .string(note.actor), "text": .string(note.text)]
        })])
    }
}
