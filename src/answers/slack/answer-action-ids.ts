/**
 * The `action_id`s of the answer buttons. They belong to the listener (answer-actions.ts); they sit in their own
 * file because the renderer that draws the buttons and the listener that handles them both need them, and the
 * listener imports the renderer.
 */
export const ACTION_SHOW_MORE = 'replibot_show_more';
export const ACTION_DETAILS = 'replibot_details';
export const ACTION_POST_TO_CHANNEL = 'replibot_post_to_channel';
export const ACTION_JOB_RUN_MORE = 'replibot_job_run_more';
