// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IClaimManager } from "../interfaces/IClaimManager.sol";
import { IOneStepProver } from "../interfaces/IOneStepProver.sol";
import { Constants } from "../libraries/Constants.sol";
import "../libraries/DisputeErrors.sol";
import { CreditLedger } from "./CreditLedger.sol";
import { RollupConfig } from "../libraries/RollupConfig.sol";
import { Types } from "../libraries/Types.sol";

/// @title DisputeGame
/// @notice Two-party bisection games (protocol.md §8.2), all in this one contract (a mapping of games:
///         no deployment per game). Any number of challengers may each open a game against any staker of
///         a pending claim; every game has its own range and its own clocks, and nothing in one game
///         blocks another. Over the messages from the anchor `(a, root_a)` to the claim `(n, stateRoot)`
///         the staker posts the root at the midpoint and the challenger agrees (keep the upper half) or
///         disagrees (keep the lower half) until one message is left, which the challenger proves
///         through the one-step prover. Each side has a chess clock of `gameClock` seconds. A losing
///         challenger's bond, less `bondBurnBps`, is credited to the staker. The first game a staker loses
///         slashes it: its bond less `bondBurnBps` is the prize, split equally among every challenger with
///         an open game against it at that moment (the winner and each game the slash cuts short, which
///         ends with `voidGame`), each also getting its own bond back. Every move
///         names the game's position (`position`), so that a move never lands on a game in a state its
///         sender did not see (another move first, or an L1 reorg). Winners withdraw with `withdraw`.
///         Immutable: no owner, no proxy, no pause.
contract DisputeGame is CreditLedger {
    /// @notice The hash of the rollup config this DisputeGame was deployed with.
    bytes32 public immutable configHash;
    /// @notice Wei a challenger locks per game.
    uint256 public immutable challengerBond;
    /// @notice Wei a staker locks per claim (what a losing staker forfeits).
    uint256 public immutable proposerBond;
    /// @notice Seconds on each side's chess clock.
    uint256 public immutable gameClock;
    /// @notice Share of a lost bond that is burned, in basis points.
    uint256 public immutable bondBurnBps;
    /// @notice The ClaimManager of the same deployment.
    IClaimManager public immutable claimManager;
    /// @notice The one-step prover.
    IOneStepProver public immutable oneStepProver;

    /// @notice The number of games so far; game ids are `1..gameCount`.
    uint256 public gameCount;
    /// @dev Games by id.
    mapping(uint256 gameId => Types.Game) internal _games;
    /// @dev Whether a staker of a claim has lost a game (and was slashed): its other games are void.
    mapping(uint256 claimId => mapping(address staker => bool)) internal _stakerLost;
    /// @dev Each challenger's share of a slashed staker's prize (the same for the winner and every game
    ///      the slash cut short).
    mapping(uint256 claimId => mapping(address staker => uint256)) internal _prizeShare;

    /// @notice A game opened against `staker` of `claimId` over messages `[lo, hi]`.
    /// @param gameId The game's id.
    /// @param claimId The disputed claim.
    /// @param staker The staker defending the claim's root.
    /// @param challenger The challenger disputing it.
    /// @param lo The anchor's message count `a`.
    /// @param hi The claim's message count `n`.
    /// @param rootLo The anchor's root `root_a` (agreed).
    /// @param rootHi The claim's root (disputed).
    /// @param position The game's position now (what the first move names).
    event GameOpened(
        uint256 indexed gameId,
        uint256 indexed claimId,
        address indexed staker,
        address challenger,
        uint256 lo,
        uint256 hi,
        bytes32 rootLo,
        bytes32 rootHi,
        bytes32 position
    );

    /// @notice The staker posted `root` for message count `mid`; `position` is the new position.
    event Bisected(uint256 indexed gameId, uint256 mid, bytes32 root, bytes32 position);

    /// @notice The challenger agreed (range `[mid, hi]`) or disagreed (range `[lo, mid]`) with the
    ///         staker's midpoint root; `lo` and `hi` are the new range, `position` the new position.
    event Responded(uint256 indexed gameId, bool agreed, uint256 lo, uint256 hi, bytes32 position);

    /// @notice The one-step prover applied message `messageIndex` and returned `postStateRoot`.
    event StepProven(uint256 indexed gameId, uint256 messageIndex, bytes32 postStateRoot);

    /// @notice The game ended.
    /// @param gameId The game.
    /// @param claimId The disputed claim.
    /// @param stakerWon Whether the staker won.
    /// @param winner The winner (staker or challenger).
    /// @param credited Wei credited to the winner.
    /// @param burned Wei of the loser's bond burned.
    event GameResolved(
        uint256 indexed gameId, uint256 indexed claimId, bool stakerWon, address winner, uint256 credited, uint256 burned
    );

    /// @notice The game was cut short because its staker lost another game first: its challenger was
    ///         credited its own bond back plus its share of the staker's prize (`paid` in all).
    event GameVoided(uint256 indexed gameId, uint256 indexed claimId, address indexed challenger, uint256 paid);


    /// @notice Deploys the DisputeGame for `_config`; reverts with `InvalidRollupConfig` on a config
    ///         that breaks a rule of protocol.md §2.
    /// @param _config The rollup config.
    /// @param _claimManager The ClaimManager of the same deployment.
    /// @param _oneStepProver The one-step prover.
    constructor(Types.RollupConfig memory _config, IClaimManager _claimManager, IOneStepProver _oneStepProver) {
        RollupConfig.validate(_config);
        configHash = RollupConfig.hash(_config);
        challengerBond = _config.challengerBond;
        proposerBond = _config.proposerBond;
        gameClock = _config.gameClock;
        bondBurnBps = _config.bondBurnBps;
        claimManager = _claimManager;
        oneStepProver = _oneStepProver;
    }

    /// @notice Receives the bond of a slashed staker from the ClaimManager.
    receive() external payable {
        if (msg.sender != address(claimManager)) revert NotClaimManager();
    }

    /// @notice Opens a game against `_staker` of `_claimId`, with exactly `challengerBond`, while the
    ///         claim is pending and before its challenge deadline. The staker may be in other games. A
    ///         zero-length range (`n = a`) is decided at once: the staker wins iff its root is `root_a`.
    /// @param _claimId The disputed claim.
    /// @param _claimHash The claim the caller means (`ClaimManager.hashClaim`); reverts on another.
    /// @param _staker The staker to play against.
    /// @return gameId_ The new game's id.
    function challenge(uint256 _claimId, bytes32 _claimHash, address _staker)
        external
        payable
        returns (uint256 gameId_)
    {
        if (msg.value != challengerBond) revert IncorrectBond(msg.value, challengerBond);
        gameId_ = ++gameCount;
        (uint256 lo, bytes32 rootLo, uint256 hi, bytes32 rootHi) =
            claimManager.openGame(gameId_, _claimId, _claimHash, _staker);
        Types.Game storage game = _games[gameId_];
        game.lo = uint64(lo);
        game.hi = uint64(hi);
        game.stakerClock = uint64(gameClock);
        game.challengerClock = uint64(gameClock);
        game.staker = _staker;
        game.lastMoveAt = uint64(block.timestamp);
        game.turn = hi - lo > 1 ? Types.Turn.Staker : Types.Turn.Challenger;
        game.status = Types.GameStatus.Open;
        game.challenger = msg.sender;
        game.claimId = uint64(_claimId);
        game.rootLo = rootLo;
        game.rootHi = rootHi;
        emit GameOpened(gameId_, _claimId, _staker, msg.sender, lo, hi, rootLo, rootHi, _positionOf(game));
        if (hi == lo) _resolve(gameId_, game, rootHi == rootLo);
    }

    /// @notice The staker posts its root at `mid = lo + (hi - lo) / 2` (while `hi - lo > 1`).
    /// @param _gameId The game.
    /// @param _position The position the staker saw (`position(_gameId)`); reverts on another.
    /// @param _midRoot The staker's state root after `mid` messages.
    /// @return position_ The new position.
    function bisect(uint256 _gameId, bytes32 _position, bytes32 _midRoot) external returns (bytes32 position_) {
        Types.Game storage game = _move(_gameId, _position, Types.Turn.Staker);
        if (game.hi - game.lo <= 1) revert WrongMove(_gameId);
        game.midRoot = _midRoot;
        game.turn = Types.Turn.Challenger;
        position_ = _positionOf(game);
        emit Bisected(_gameId, _mid(game), _midRoot, position_);
    }

    /// @notice The challenger agrees with the staker's midpoint root: the range becomes `[mid, hi]`.
    /// @param _gameId The game.
    /// @param _position The position the challenger saw (it holds the midpoint root agreed with).
    /// @return position_ The new position.
    function agree(uint256 _gameId, bytes32 _position) external returns (bytes32 position_) {
        position_ = _respond(_gameId, _position, true);
    }

    /// @notice The challenger disputes the staker's midpoint root: the range becomes `[lo, mid]`.
    /// @param _gameId The game.
    /// @param _position The position the challenger saw (it holds the midpoint root disputed).
    /// @return position_ The new position.
    function disagree(uint256 _gameId, bytes32 _position) external returns (bytes32 position_) {
        position_ = _respond(_gameId, _position, false);
    }

    /// @notice At one message left (`hi = lo + 1`) the challenger has message `lo` applied to the
    ///         agreed `root_lo` by the one-step prover; the challenger wins iff the result differs from
    ///         the staker's `root_hi`. A proof the prover rejects reverts and changes nothing.
    /// @param _gameId The game.
    /// @param _position The position the challenger saw (it fixes `lo`, `root_lo` and `root_hi`).
    /// @param _proof The prover's ABI-encoded proof, forwarded unchanged.
    function proveStep(uint256 _gameId, bytes32 _position, bytes calldata _proof) external {
        Types.Game storage game = _move(_gameId, _position, Types.Turn.Challenger);
        if (game.hi - game.lo != 1) revert WrongMove(_gameId);
        bytes32 post = oneStepProver.proveMessage(game.lo, game.rootLo, _proof);
        emit StepProven(_gameId, game.lo, post);
        _resolve(_gameId, game, post == game.rootHi);
    }

    /// @notice Ends an open game whose side to move has run out of clock: that side loses. Anyone may
    ///         call. A game whose staker already lost another game cannot time out (`voidGame` it).
    /// @param _gameId The game.
    /// @param _position The position the caller saw; reverts on another.
    function timeout(uint256 _gameId, bytes32 _position) external {
        Types.Game storage game = _openGame(_gameId, _position);
        if (_stakerLost[game.claimId][game.staker]) revert GameVoid(_gameId);
        bool stakerToMove = game.turn == Types.Turn.Staker;
        uint256 left = stakerToMove ? game.stakerClock : game.challengerClock;
        if (block.timestamp - game.lastMoveAt <= left) revert ClockNotExpired(_gameId);
        _resolve(_gameId, game, !stakerToMove);
    }

    /// @notice Ends an open game that a slash cut short (its staker lost another game): no move is left,
    ///         and its challenger is credited its own bond back plus its share of the staker's prize, the
    ///         same share the winner of the slashing game got. Anyone may call.
    /// @param _gameId The game.
    /// @param _position The position the caller saw; reverts on another.
    function voidGame(uint256 _gameId, bytes32 _position) external {
        Types.Game storage game = _openGame(_gameId, _position);
        if (!_stakerLost[game.claimId][game.staker]) revert GameNotVoid(_gameId);
        game.status = Types.GameStatus.Voided;
        uint256 paid = challengerBond + _prizeShare[game.claimId][game.staker];
        credit[game.challenger] += paid;
        emit GameVoided(_gameId, game.claimId, game.challenger, paid);
    }

    /// @notice Game `_gameId` (all-zero with status `None` when it does not exist).
    /// @param _gameId The game.
    /// @return game_ The game.
    function getGame(uint256 _gameId) external view returns (Types.Game memory game_) {
        game_ = _games[_gameId];
    }

    /// @notice The game's position, which every move and `timeout` must name:
    ///         `keccak256(abi.encode(claimId, staker, challenger, lo, hi, rootLo, rootHi, midRoot, turn))`
    ///         (protocol.md §8.5). It changes with every move; clocks are not part of it.
    /// @param _gameId The game.
    /// @return position_ The position.
    function position(uint256 _gameId) external view returns (bytes32 position_) {
        position_ = _positionOf(_games[_gameId]);
    }

    /// @notice Whether game `_gameId` is open but void: its staker lost another game (`voidGame` ends it).
    /// @param _gameId The game.
    /// @return void_ True when `voidGame` would succeed.
    function isVoid(uint256 _gameId) external view returns (bool void_) {
        Types.Game storage game = _games[_gameId];
        void_ = game.status == Types.GameStatus.Open && _stakerLost[game.claimId][game.staker];
    }

    /// @notice The message count the staker must post a root for next, `lo + (hi - lo) / 2`.
    /// @param _gameId The game.
    /// @return mid_ The midpoint of the game's current range.
    function midpoint(uint256 _gameId) external view returns (uint256 mid_) {
        mid_ = _mid(_games[_gameId]);
    }

    /// @notice Seconds left on the clock of the side to move, counting the time since its turn began
    ///         (0 once it has run out).
    /// @param _gameId The game.
    /// @return left_ Seconds left.
    function clockLeft(uint256 _gameId) external view returns (uint256 left_) {
        Types.Game storage game = _games[_gameId];
        uint256 clock = game.turn == Types.Turn.Staker ? game.stakerClock : game.challengerClock;
        uint256 elapsed = block.timestamp - game.lastMoveAt;
        left_ = elapsed >= clock ? 0 : clock - elapsed;
    }

    /// @dev The challenger's answer to the staker's midpoint root.
    function _respond(uint256 _gameId, bytes32 _position, bool _agree) internal returns (bytes32 position_) {
        Types.Game storage game = _move(_gameId, _position, Types.Turn.Challenger);
        if (game.hi - game.lo <= 1) revert WrongMove(_gameId);
        uint64 mid = _mid(game);
        if (_agree) {
            game.lo = mid;
            game.rootLo = game.midRoot;
        } else {
            game.hi = mid;
            game.rootHi = game.midRoot;
        }
        // At one message left the challenger keeps the move: it must prove the step.
        game.turn = game.hi - game.lo > 1 ? Types.Turn.Staker : Types.Turn.Challenger;
        position_ = _positionOf(game);
        emit Responded(_gameId, _agree, game.lo, game.hi, position_);
    }

    /// @dev An open game in position `_position`, or a revert.
    function _openGame(uint256 _gameId, bytes32 _position) internal view returns (Types.Game storage game_) {
        game_ = _games[_gameId];
        if (game_.status != Types.GameStatus.Open) revert GameNotOpen(_gameId);
        bytes32 actual = _positionOf(game_);
        if (actual != _position) revert PositionMismatch(_gameId, _position, actual);
    }

    /// @dev Checks that the caller is the side `_side` of an open, non-void game in position `_position`
    ///      whose turn it is, charges the time since the last move to that side's clock and restarts it.
    function _move(uint256 _gameId, bytes32 _position, Types.Turn _side) internal returns (Types.Game storage game_) {
        game_ = _openGame(_gameId, _position);
        if (_stakerLost[game_.claimId][game_.staker]) revert GameVoid(_gameId);
        if (game_.turn != _side || msg.sender != (_side == Types.Turn.Staker ? game_.staker : game_.challenger)) {
            revert NotYourTurn(_gameId);
        }
        uint64 elapsed = uint64(block.timestamp) - game_.lastMoveAt;
        if (_side == Types.Turn.Staker) {
            if (elapsed > game_.stakerClock) revert ClockExpired(_gameId);
            game_.stakerClock -= elapsed;
        } else {
            if (elapsed > game_.challengerClock) revert ClockExpired(_gameId);
            game_.challengerClock -= elapsed;
        }
        game_.lastMoveAt = uint64(block.timestamp);
    }

    /// @dev Ends a game with a winner: reports it to the ClaimManager. A winning staker is credited the
    ///      challenger's bond less the burned share. A losing staker is slashed (the ClaimManager sends its
    ///      bond here and says how many other games the slash cuts short): its bond less the burned share
    ///      is split equally among the winner and the challengers of those games, the division's dust is
    ///      burned too, and each challenger also gets its own bond back (the others through `voidGame`).
    function _resolve(uint256 _gameId, Types.Game storage _game, bool _stakerWon) internal {
        _game.status = _stakerWon ? Types.GameStatus.StakerWon : Types.GameStatus.ChallengerWon;
        if (!_stakerWon) _stakerLost[_game.claimId][_game.staker] = true;
        uint256 cutShort = claimManager.closeGame(_gameId, _game.claimId, _game.staker, _stakerWon);
        uint256 loserBond = _stakerWon ? challengerBond : proposerBond;
        uint256 burned = loserBond * bondBurnBps / Constants.BPS;
        address winner = _stakerWon ? _game.staker : _game.challenger;
        uint256 credited;
        if (_stakerWon) {
            credited = loserBond - burned;
        } else {
            uint256 prize = loserBond - burned;
            uint256 share = prize / (cutShort + 1);
            burned += prize - share * (cutShort + 1);
            _prizeShare[_game.claimId][_game.staker] = share;
            credited = share + challengerBond;
        }
        credit[winner] += credited;
        emit GameResolved(_gameId, _game.claimId, _stakerWon, winner, credited, burned);
        if (burned != 0) _send(Constants.BURN_ADDRESS, burned);
    }

    /// @notice Each challenger's share of the prize of `_staker` of `_claimId` once it was slashed (what
    ///         the winner got and `voidGame` pays beside the challenger's own bond); 0 before.
    /// @param _claimId The claim.
    /// @param _staker The slashed staker.
    /// @return share_ The share, in wei.
    function prizeShare(uint256 _claimId, address _staker) external view returns (uint256 share_) {
        share_ = _prizeShare[_claimId][_staker];
    }

    /// @dev `keccak256(abi.encode(claimId, staker, challenger, lo, hi, rootLo, rootHi, midRoot, turn))`.
    function _positionOf(Types.Game storage _game) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                _game.claimId,
                _game.staker,
                _game.challenger,
                _game.lo,
                _game.hi,
                _game.rootLo,
                _game.rootHi,
                _game.midRoot,
                _game.turn
            )
        );
    }

    /// @dev `lo + (hi - lo) / 2`.
    function _mid(Types.Game storage _game) internal view returns (uint64) {
        return _game.lo + (_game.hi - _game.lo) / 2;
    }
}
